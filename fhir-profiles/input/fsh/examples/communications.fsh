// Example Communications, one or more per profile. Ids of people follow the sandbox roster (sandbox/seed/roster.ts).

Instance: thread-p0001
InstanceOf: ChartTextThreadHeader
Title: "Thread header: Maria Garcia and the practice number"
Usage: #example
* identifier[thread].value = "Patient/p0001|+12015550100"
* status = #in-progress
* subject = Reference(Patient/p0001)
* topic.text = "Text messages"

Instance: outbound-pending
InstanceOf: ChartTextOutboundSms
Title: "Outbound SMS as the app creates it"
Usage: #example
* identifier[clientMessageId].value = "5f1c7a52-8e0a-4f47-9d59-0c8d1f0f5b31"
* partOf = Reference(thread-p0001)
* status = #preparation
* subject = Reference(Patient/p0001)
* recipient = Reference(Patient/p0001)
* sender = Reference(Practitioner/dr-lee)
* payload.contentString = "Hi Maria, your lab results are in. Dr. Lee will call you tomorrow morning."

Instance: outbound-delivered
InstanceOf: ChartTextOutboundSms
Title: "Outbound SMS delivered"
Usage: #example
* identifier[clientMessageId].value = "0b0f5a0e-6a53-4d0c-a3c9-1e9c57a4a1d2"
* identifier[twilioSid].value = "SM0123456789abcdef0123456789abcdef"
* partOf = Reference(thread-p0001)
* status = #completed
* subject = Reference(Patient/p0001)
* recipient = Reference(Patient/p0001)
* sender = Reference(Practitioner/dr-lee)
* sent = "2025-03-04T15:02:11Z"
* payload.contentString = "Reminder: your visit is tomorrow at 9:30. Reply C to confirm."
* extension[twilioStatus].valueCode = #delivered
* extension[segmentCount].valuePositiveInt = 1
* extension[encoding].valueCode = #GSM-7
* extension[fromNumber].valueString = "+12015550100"
* extension[toNumber].valueString = "+12015550123"
* extension[sendAttempt].valuePositiveInt = 1
* extension[claimedAt].valueDateTime = "2025-03-04T15:02:10Z"

Instance: outbound-undelivered
InstanceOf: ChartTextOutboundSms
Title: "Outbound SMS stopped: undelivered to a landline"
Usage: #example
* identifier[twilioSid].value = "SMfedcba9876543210fedcba9876543210"
* partOf = Reference(thread-p0001)
* status = #stopped
* statusReason.coding[0] = $StopReason#delivery-failed
* statusReason.coding[1] = $TwilioError#30006 "Landline or unreachable carrier"
* statusReason.text = "The number is a landline or the carrier cannot be reached (Twilio 30006)."
* subject = Reference(Patient/p0001)
* recipient = Reference(Patient/p0001)
* sender = Reference(Practitioner/dr-lee)
* sent = "2025-03-04T15:05:40Z"
* payload.contentString = "Please call the office when you can."
* extension[twilioStatus].valueCode = #undelivered
* extension[twilioError].extension[code].valueInteger = 30006
* extension[twilioError].extension[message].valueString = "Landline or unreachable carrier"
* extension[toNumber].valueString = "+12015550123"

Instance: outbound-consent-denied
InstanceOf: ChartTextOutboundSms
Title: "Outbound SMS stopped before sending: the patient opted out"
Usage: #example
* partOf = Reference(thread-p0001)
* status = #stopped
* statusReason = $StopReason#consent-denied "Consent denied"
* subject = Reference(Patient/p0001)
* recipient = Reference(Patient/p0001)
* sender = Reference(Practitioner/dr-lee)
* payload.contentString = "Your prescription is ready for pickup."

Instance: inbound-reply
InstanceOf: ChartTextInboundSms
Title: "Inbound SMS from a patient"
Usage: #example
* identifier[twilioSid].value = "SM89abcdef0123456789abcdef01234567"
* partOf = Reference(thread-p0001)
* inResponseTo = Reference(outbound-delivered)
* subject = Reference(Patient/p0001)
* sender = Reference(Patient/p0001)
* recipient = Reference(Organization/practice)
* received = "2025-03-04T15:10:02Z"
* payload[0].contentString = "C. And here is the photo of the rash."
* payload[1].contentAttachment.contentType = #image/jpeg
* payload[1].contentAttachment.url = "Binary/mms-rash-photo"
* extension[twilioStatus].valueCode = #received
* extension[segmentCount].valuePositiveInt = 1
* extension[fromNumber].valueString = "+12015550123"
* extension[toNumber].valueString = "+12015550100"

Instance: unmatched-unknown-number
InstanceOf: ChartTextUnmatchedInboundSms
Title: "Inbound SMS from an unknown number"
Usage: #example
* identifier[twilioSid].value = "SM00112233445566778899aabbccddeeff"
* recipient = Reference(Organization/practice)
* received = "2025-03-05T08:01:00Z"
* payload.contentString = "Hi, is the clinic open on Saturday?"
* extension[twilioStatus].valueCode = #received
* extension[fromNumber].valueString = "+12015550199"
* extension[toNumber].valueString = "+12015550100"
