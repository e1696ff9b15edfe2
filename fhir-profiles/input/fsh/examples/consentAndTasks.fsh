// Example Consent and Tasks.

Instance: sms-consent-stop
InstanceOf: ChartTextSmsConsent
Title: "SMS consent: the patient texted STOP"
Usage: #example
* status = #active
* patient = Reference(Patient/p0002)
* dateTime = "2025-02-20T18:44:00Z"
* performer = Reference(Patient/p0002)
* sourceAttachment.url = "Communication/inbound-stop"
* sourceAttachment.title = "STOP"
* provision.type = #deny

Instance: needs-response-p0001
InstanceOf: ChartTextNeedsResponseTask
Title: "Needs response: Maria Garcia's thread, assigned to Dr. Lee"
Usage: #example
* status = #requested
* businessStatus = $TaskBusinessStatus#waiting
* focus = Reference(thread-p0001)
* for = Reference(Patient/p0001)
* owner = Reference(Practitioner/dr-lee)
* authoredOn = "2025-03-04T15:10:03Z"
* executionPeriod.start = "2025-03-04T15:10:02Z"

Instance: triage-unknown-number
InstanceOf: ChartTextTriageTask
Title: "Triage: a text from an unknown number"
Usage: #example
* identifier[triage].value = "SM00112233445566778899aabbccddeeff"
* status = #requested
* businessStatus = $TaskBusinessStatus#waiting
* focus = Reference(unmatched-unknown-number)
* authoredOn = "2025-03-05T08:01:01Z"
