// Identifier systems ChartText mints (https://charttext.org/fhir/sid/…), mirrored in vocabulary.ts IDENTIFIER_SYSTEMS.

RuleSet: ChartTextNamingSystem(name, url, description)
* name = "{name}"
* status = #active
* kind = #identifier
* date = "2025-01-01"
* publisher = "ChartText"
* description = "{description}"
* uniqueId.type = #uri
* uniqueId.value = "{url}"
* uniqueId.preferred = true

Instance: twilio-message-sid
InstanceOf: NamingSystem
Usage: #definition
* insert ChartTextNamingSystem(TwilioMessageSid, https://charttext.org/fhir/sid/twilio-message-sid, [[Twilio Message SID (SM… for SMS, MM… for MMS) on Communication.identifier. Status callbacks and inbound webhooks look messages up by it, so replays change nothing.]])

Instance: previous-twilio-message-sid
InstanceOf: NamingSystem
Usage: #definition
* insert ChartTextNamingSystem(ChartTextPreviousTwilioMessageSid, https://charttext.org/fhir/sid/previous-twilio-message-sid, [[Twilio Message SID of an earlier send attempt of an outbound message, kept by Retry (use old). Late status callbacks of that attempt and the relay's search of Twilio's log never take it for the current attempt.]])

Instance: thread
InstanceOf: NamingSystem
Usage: #definition
* insert ChartTextNamingSystem(ChartTextThreadKey, https://charttext.org/fhir/sid/thread, [[Thread header key: <Patient or RelatedPerson reference>|<practice number in E.164>. Makes creating a thread header idempotent.]])

Instance: triage
InstanceOf: NamingSystem
Usage: #definition
* insert ChartTextNamingSystem(ChartTextTriageKey, https://charttext.org/fhir/sid/triage, [[Key of a triage Task: the Twilio SID of the unmatched message it is about.]])

Instance: client-message-id
InstanceOf: NamingSystem
Usage: #definition
* insert ChartTextNamingSystem(ChartTextClientMessageId, https://charttext.org/fhir/sid/client-message-id, [[A UUID the app gives an outbound message, so a retried create never makes two.]])

Instance: sandbox-user
InstanceOf: NamingSystem
Usage: #definition
* insert ChartTextNamingSystem(ChartTextSandboxUser, https://charttext.org/fhir/sid/sandbox-user, [[Staff logins of the sandbox EHR (Practitioner.identifier). Not used against a real EHR.]])
