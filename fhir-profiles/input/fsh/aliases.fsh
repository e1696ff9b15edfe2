// Aliases for systems defined outside ChartText. The TypeScript twin of every URL here is in
// fhir-profiles/vocabulary.ts; fhir-profiles/vocabulary.test.ts fails when the two disagree.
Alias: $ParticipationMode = http://terminology.hl7.org/CodeSystem/v3-ParticipationMode
Alias: $CommunicationCategory = http://terminology.hl7.org/CodeSystem/communication-category
Alias: $ConsentScope = http://terminology.hl7.org/CodeSystem/consentscope
Alias: $ActCode = http://terminology.hl7.org/CodeSystem/v3-ActCode
Alias: $LOINC = http://loinc.org
Alias: $EventStatus = http://hl7.org/fhir/event-status
Alias: $TwilioError = https://www.twilio.com/docs/api/errors

// ChartText's own (canonical base https://charttext.org/fhir).
Alias: $Direction = https://charttext.org/fhir/CodeSystem/message-direction
Alias: $Kind = https://charttext.org/fhir/CodeSystem/communication-kind
Alias: $TaskCode = https://charttext.org/fhir/CodeSystem/task-code
Alias: $TaskBusinessStatus = https://charttext.org/fhir/CodeSystem/task-business-status
Alias: $StopReason = https://charttext.org/fhir/CodeSystem/stop-reason
Alias: $ConsentKind = https://charttext.org/fhir/CodeSystem/consent-kind
Alias: $NumberFlag = https://charttext.org/fhir/CodeSystem/number-flag
Alias: $TwilioStatus = https://charttext.org/fhir/CodeSystem/twilio-message-status
Alias: $SmsEncoding = https://charttext.org/fhir/CodeSystem/sms-encoding
Alias: $TwilioSid = https://charttext.org/fhir/sid/twilio-message-sid
Alias: $PreviousTwilioSid = https://charttext.org/fhir/sid/previous-twilio-message-sid
Alias: $ThreadKey = https://charttext.org/fhir/sid/thread
Alias: $TriageKey = https://charttext.org/fhir/sid/triage
Alias: $ClientMessageId = https://charttext.org/fhir/sid/client-message-id
