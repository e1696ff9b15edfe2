// ChartText's Communication profiles: outbound and inbound SMS, unmatched inbound, thread header.
// Shapes follow ../shared/DESIGN.md "Data conventions"; docs/fhir.md explains them to integrators.

RuleSet: SmsMedium
* medium 1..*
* medium ^slicing.discriminator.type = #pattern
* medium ^slicing.discriminator.path = "$this"
* medium ^slicing.rules = #open
* medium ^slicing.description = "A pattern slice on $this rather than a fixed value on the list, so other media may accompany SMS."
* medium contains sms 1..1
* medium[sms] = $ParticipationMode#SMSWRIT "SMS message"
* medium[sms] ^short = "SMS (v3 ParticipationMode SMSWRIT, http://terminology.hl7.org)"

RuleSet: CategorySlices
* category 1..*
* category ^slicing.discriminator.type = #pattern
* category ^slicing.discriminator.path = "$this"
* category ^slicing.rules = #open
* category ^slicing.description = "ChartText's own codings (direction, kind) plus, optionally, communication-category codes such as reminder."

RuleSet: IdentifierSlicing
* identifier ^slicing.discriminator.type = #value
* identifier ^slicing.discriminator.path = "system"
* identifier ^slicing.rules = #open
* identifier ^slicing.description = "Sliced by system; other identifiers are allowed."

RuleSet: TwilioSidIdentifier(card)
* identifier contains twilioSid {card}
* identifier[twilioSid] ^short = "Twilio Message SID (SM… or MM…): the idempotency key of webhooks and status callbacks"
* identifier[twilioSid] obeys ctt-sid
* identifier[twilioSid].system 1..1
* identifier[twilioSid].system = $TwilioSid
* identifier[twilioSid].value 1..1

RuleSet: InboundCommon
* status = #completed
* status ^short = "completed: the message has arrived"
* insert SmsMedium
* recipient 1..1
* recipient only Reference(Organization)
* recipient ^short = "The practice"
* received 1..1
* received ^short = "When the relay received the webhook (or reconciliation found the message)"
* payload 1..*
* payload.content[x] only string or Attachment
* payload ^short = "The text (contentString) and any MMS media (contentAttachment with url Binary/…)"
* extension contains
    TwilioStatus named twilioStatus 0..1 and
    SegmentCount named segmentCount 0..1 and
    SmsEncodingExtension named encoding 0..1 and
    FromNumber named fromNumber 1..1 and
    ToNumber named toNumber 1..1 and
    ReadAt named readAt 0..1
// Touching a child unfolds the slice in the snapshot (with its fixed url), which @medplum/core needs to match it.
* extension[fromNumber].value[x] ^short = "The sender's phone, E.164"
* extension[toNumber].value[x] ^short = "The practice number, E.164"

Invariant: ctt-sid
Description: "A Twilio Message SID is SM or MM followed by 32 hexadecimal digits."
Expression: "value.matches('^(SM|MM)[0-9a-fA-F]{32}$')"
Severity: #error

Invariant: ctt-out-1
Description: "A stopped message says why in statusReason."
Expression: "status = 'stopped' implies statusReason.exists()"
Severity: #error

Invariant: ctt-out-2
Description: "A message with a sent time carries its Twilio SID."
Expression: "sent.exists() implies identifier.where(system = 'https://charttext.org/fhir/sid/twilio-message-sid').value.exists()"
Severity: #error

Invariant: ctt-out-3
Description: "A completed (delivered) message has its sent time."
Expression: "status = 'completed' implies sent.exists()"
Severity: #error

Profile: ChartTextOutboundSms
Parent: Communication
Id: ChartTextOutboundSms
Title: "ChartText outbound SMS"
Description: "A text from the practice to a patient (or a related person). The app creates it with status preparation; the relay claims it (in-progress), sends it through Twilio, records the Twilio SID and sent time, and moves it to completed (delivered) or stopped (with the reason)."
* obeys ctt-out-1 and ctt-out-2 and ctt-out-3
* insert IdentifierSlicing
* insert TwilioSidIdentifier(0..1)
* identifier contains clientMessageId 0..1
* identifier[clientMessageId] ^short = "A UUID the app generates, so a retried create (If-None-Exist) never makes two messages"
* identifier[clientMessageId].system 1..1
* identifier[clientMessageId].system = $ClientMessageId
* identifier[clientMessageId].value 1..1
* identifier contains previousTwilioSid 0..*
* identifier[previousTwilioSid] ^short = "Twilio SIDs of earlier send attempts (kept by Retry), so their late callbacks change nothing"
* identifier[previousTwilioSid] obeys ctt-sid
* identifier[previousTwilioSid].use = #old
* identifier[previousTwilioSid].system 1..1
* identifier[previousTwilioSid].system = $PreviousTwilioSid
* identifier[previousTwilioSid].value 1..1
* partOf 1..1
* partOf only Reference(ChartTextThreadHeader)
* partOf ^short = "The thread header"
* inResponseTo only Reference(ChartTextInboundSms)
* inResponseTo ^short = "Only for an explicit reply to one message"
* status from OutboundSmsStatusVS (required)
* statusReason from StopReasonVS (required)
* statusReason ^short = "Why the message stopped: a stop-reason coding, plus a Twilio error coding when there is one"
* insert CategorySlices
* category contains direction 1..1 and kind 1..1
* category[direction] = $Direction#outbound
* category[kind] = $Kind#message
* insert SmsMedium
* subject 1..1
* subject only Reference(Patient)
* recipient 1..1
* recipient only Reference(Patient or RelatedPerson)
* recipient ^short = "Who gets the text; the relay reads the destination from its telecom (mobile first), never from the app"
* sender 1..1
* sender only Reference(Practitioner or PractitionerRole or Organization)
* sender ^short = "The signed-in user (fhirUser), or the practice for automatic texts"
* sent ^short = "When Twilio accepted the message"
* payload 1..*
* payload.content[x] only string or Attachment
* extension contains
    TwilioStatus named twilioStatus 0..1 and
    TwilioError named twilioError 0..1 and
    SegmentCount named segmentCount 0..1 and
    SmsEncodingExtension named encoding 0..1 and
    FromNumber named fromNumber 0..1 and
    ToNumber named toNumber 0..1 and
    SendAttempt named sendAttempt 0..1 and
    ClaimedAt named claimedAt 0..1

Profile: ChartTextInboundSms
Parent: Communication
Id: ChartTextInboundSms
Title: "ChartText inbound SMS"
Description: "A text from a patient (or a related person) to the practice's SMS number, matched by phone number and filed in the thread. The relay creates it with a conditional create on the Twilio SID, so a replayed webhook changes nothing."
* insert IdentifierSlicing
* insert TwilioSidIdentifier(1..1)
* partOf 1..1
* partOf only Reference(ChartTextThreadHeader)
* partOf ^short = "The thread header"
* inResponseTo only Reference(ChartTextOutboundSms)
* insert CategorySlices
* category contains direction 1..1 and kind 1..1
* category[direction] = $Direction#inbound
* category[kind] = $Kind#message
* subject 1..1
* subject only Reference(Patient)
* sender 1..1
* sender only Reference(Patient or RelatedPerson)
* sender ^short = "Whose phone the text came from"
* insert InboundCommon

Profile: ChartTextUnmatchedInboundSms
Parent: Communication
Id: ChartTextUnmatchedInboundSms
Title: "ChartText unmatched inbound SMS"
Description: "A text from a number that matches no patient, or several (a shared family phone). It has no subject, sender or thread until the front desk links it (then it becomes a ChartText inbound SMS); a triage Task points to it. Never dropped."
* insert IdentifierSlicing
* insert TwilioSidIdentifier(1..1)
* partOf 0..0
* insert CategorySlices
* category contains direction 1..1 and kind 1..1
* category[direction] = $Direction#inbound
* category[kind] = $Kind#unmatched
* subject 0..0
* sender 0..0
* insert InboundCommon

Profile: ChartTextThreadHeader
Parent: Communication
Id: ChartTextThreadHeader
Title: "ChartText thread header"
Description: "One per patient (or related person) and practice number: the conversation every message points to with partOf. Open while in-progress, closed when completed. Its thread identifier makes creating it idempotent (If-None-Exist)."
* insert IdentifierSlicing
* identifier contains thread 1..1
* identifier[thread] ^short = "Thread key: <Patient or RelatedPerson reference>|<practice number in E.164>"
* identifier[thread].system 1..1
* identifier[thread].system = $ThreadKey
* identifier[thread].value 1..1
* partOf 0..0
* inResponseTo 0..0
* status from ThreadStatusVS (required)
* status ^short = "in-progress (open) | completed (closed)"
* insert CategorySlices
* category contains kind 1..1
* category[kind] = $Kind#thread-header
* insert SmsMedium
* subject 1..1
* subject only Reference(Patient)
* recipient only Reference(Patient or RelatedPerson)
* recipient ^short = "The person on the other end, when not the subject (e.g. a parent)"
* topic 1..1
* topic ^short = "Shown as the thread's title"
* payload 0..0
