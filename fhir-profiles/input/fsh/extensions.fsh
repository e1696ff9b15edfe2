// ChartText's extensions. URLs are https://charttext.org/fhir/StructureDefinition/<Id>, mirrored in
// fhir-profiles/vocabulary.ts (EXTENSIONS).

Invariant: ctt-e164
Description: "The number is in E.164 form: a plus sign and up to 15 digits, the first not 0 (e.g. +12015550123)."
Expression: "value.matches('^[+][1-9][0-9]{1,14}$')"
Severity: #error

Extension: TwilioStatus
Id: twilio-status
Title: "Twilio status"
Description: "The raw Twilio message status last reported for this message (by the send response, a status callback, the inbound webhook or reconciliation). Communication.status holds the mapped FHIR status; this keeps Twilio's own word."
Context: Communication
* value[x] 1..1
* value[x] only code
* value[x] from TwilioMessageStatusVS (required)

Extension: TwilioError
Id: twilio-error
Title: "Twilio error"
Description: "The Twilio error reported for this message (https://www.twilio.com/docs/api/errors): the numeric code and, when Twilio gives one, its text."
Context: Communication
* extension contains code 1..1 and message 0..1
* extension[code] ^short = "Twilio error code, e.g. 30006"
* extension[code].value[x] 1..1
* extension[code].value[x] only integer
* extension[message] ^short = "Twilio's error text"
* extension[message].value[x] 1..1
* extension[message].value[x] only string
* value[x] 0..0

Extension: SegmentCount
Id: segment-count
Title: "SMS segment count"
Description: "How many SMS segments the message occupies (what carriers bill and rate-limit)."
Context: Communication
* value[x] 1..1
* value[x] only positiveInt

Extension: SmsEncodingExtension
Id: sms-encoding
Title: "SMS encoding"
Description: "The encoding the text needs: GSM-7, or UCS-2 when it contains characters outside the GSM alphabet."
Context: Communication
* value[x] 1..1
* value[x] only code
* value[x] from SmsEncodingVS (required)

Extension: FromNumber
Id: from-number
Title: "From number"
Description: "The E.164 number the SMS was sent from: the practice number for outbound, the patient's phone for inbound. Recorded because the sender's telecom may change later."
Context: Communication
* obeys ctt-e164
* value[x] 1..1
* value[x] only string

Extension: ToNumber
Id: to-number
Title: "To number"
Description: "The E.164 number the SMS was sent to: the number the relay chose from the recipient's telecom for outbound, the practice number for inbound."
Context: Communication
* obeys ctt-e164
* value[x] 1..1
* value[x] only string

Extension: SendAttempt
Id: send-attempt
Title: "Send attempt"
Description: "How many times the relay has claimed this message for sending; a retry after a crash increments it."
Context: Communication
* value[x] 1..1
* value[x] only positiveInt

Extension: ClaimedAt
Id: claimed-at
Title: "Claimed at"
Description: "When a relay claimed the message for sending (with a versioned update). A claim without a Twilio SID older than the reconciliation timeout is resolved from Twilio's log."
Context: Communication
* value[x] 1..1
* value[x] only dateTime

Extension: ReadAt
Id: read-at
Title: "Read at"
Description: "When a staff member first opened the message. Informational: the needs-response Task is what tracks whether the thread is answered."
Context: Communication
* value[x] 1..1
* value[x] only dateTime

Extension: SmsNumberFlag
Id: sms-number-flag
Title: "SMS number flag"
Description: "On a ContactPoint (e.g. Patient.telecom): this number cannot receive SMS, and why. The relay sets it after Twilio errors 21211, 21614 or 30006 and skips flagged numbers when it picks a destination."
Context: ContactPoint
* value[x] 1..1
* value[x] only Coding
* value[x] from NumberFlagVS (required)

Extension: PracticeSmsNumber
Id: practice-sms-number
Title: "Practice SMS number"
Description: "On Organization.telecom: marks the number the practice texts from and receives texts on."
Context: ContactPoint
* value[x] 1..1
* value[x] only boolean
