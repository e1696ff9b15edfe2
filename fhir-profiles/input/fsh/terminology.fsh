// ChartText's code systems and value sets. Codes are mirrored in fhir-profiles/vocabulary.ts (CODES).

CodeSystem: MessageDirection
Id: message-direction
Title: "ChartText message direction"
Description: "Direction of an SMS message relative to the practice. Carried as a Communication.category coding."
* ^caseSensitive = true
* ^content = #complete
* #inbound "Inbound" "Sent by a patient (or a related person) to the practice's SMS number."
* #outbound "Outbound" "Sent by the practice to a patient (or a related person)."

ValueSet: MessageDirectionVS
Id: message-direction
Title: "ChartText message direction"
Description: "Both message directions."
* include codes from system $Direction

CodeSystem: CommunicationKind
Id: communication-kind
Title: "ChartText Communication kind"
Description: "What a ChartText Communication is: a thread header, a message in a thread, or an inbound message not yet matched to a patient. Carried as a Communication.category coding."
* ^caseSensitive = true
* ^content = #complete
* #thread-header "Thread header" "The one Communication per patient and practice number that every message of the conversation points to with partOf. Has no payload."
* #message "Message" "One SMS (or MMS) in a thread."
* #unmatched "Unmatched inbound" "An inbound SMS from a number that matches no patient, or more than one. Has no subject until the front desk links it."

ValueSet: CommunicationKindVS
Id: communication-kind
Title: "ChartText Communication kind"
Description: "All Communication kinds."
* include codes from system $Kind

CodeSystem: TaskCode
Id: task-code
Title: "ChartText task code"
Description: "Front-desk work items ChartText keeps as FHIR Tasks, so EHR worklists can show them too."
* ^caseSensitive = true
* ^content = #complete
* #needs-response "Needs response" "A patient texted and nobody has answered yet. Focus: the thread header."
* #triage-unmatched "Triage unmatched message" "An inbound message from an unknown or shared number waits to be linked to a patient. Focus: the unmatched Communication."

ValueSet: TaskCodeVS
Id: task-code
Title: "ChartText task code"
Description: "All ChartText task codes."
* include codes from system $TaskCode

CodeSystem: TaskBusinessStatus
Id: task-business-status
Title: "ChartText task business status"
Description: "Where a ChartText Task stands, in front-desk terms (Task.businessStatus)."
* ^caseSensitive = true
* ^content = #complete
* #waiting "Waiting" "Open: waiting for a staff member."
* #answered "Answered" "Closed: a staff member replied."
* #no-reply-needed "No reply needed" "Closed: a staff member decided the message needs no answer."
* #linked "Linked" "Closed: the message was linked to a patient (or related person)."
* #wrong-number "Wrong number" "Closed: the sender is nobody the practice knows."
* #spam "Spam" "Closed: the message is spam."

ValueSet: TaskBusinessStatusVS
Id: task-business-status
Title: "ChartText task business status"
Description: "Every business status of every ChartText Task."
* include codes from system $TaskBusinessStatus

ValueSet: NeedsResponseBusinessStatusVS
Id: needs-response-business-status
Title: "Needs-response task business status"
Description: "Business statuses of a needs-response Task."
* $TaskBusinessStatus#waiting
* $TaskBusinessStatus#answered
* $TaskBusinessStatus#no-reply-needed

ValueSet: TriageBusinessStatusVS
Id: triage-business-status
Title: "Triage task business status"
Description: "Business statuses of a triage Task for an unmatched inbound message."
* $TaskBusinessStatus#waiting
* $TaskBusinessStatus#linked
* $TaskBusinessStatus#wrong-number
* $TaskBusinessStatus#spam

CodeSystem: StopReason
Id: stop-reason
Title: "ChartText stop reason"
Description: "Why an outbound message ended in status stopped (Communication.statusReason). A Twilio error code, when there is one, is a second coding from https://www.twilio.com/docs/api/errors."
* ^caseSensitive = true
* ^content = #complete
* #no-sms-number "No SMS number" "The recipient has no mobile number ChartText may text."
* #consent-denied "Consent denied" "The patient opted out of SMS (Consent deny), so ChartText did not call Twilio."
* #twilio-rejected "Rejected by Twilio" "Twilio refused the message when the relay sent it (e.g. 21211 invalid number, 21610 opted out, 21614 not a mobile)."
* #delivery-failed "Delivery failed" "Twilio accepted the message but reported failed or undelivered (e.g. 30006 landline or unreachable carrier)."
* #canceled "Canceled" "The message was canceled before it was sent."

ValueSet: StopReasonVS
Id: stop-reason
Title: "ChartText stop reason"
Description: "All stop reasons."
* include codes from system $StopReason

CodeSystem: ConsentKind
Id: consent-kind
Title: "ChartText consent kind"
Description: "Kinds of consent ChartText records (a Consent.category coding)."
* ^caseSensitive = true
* ^content = #complete
* #sms "SMS" "Consent to receive text messages from the practice."

ValueSet: ConsentKindVS
Id: consent-kind
Title: "ChartText consent kind"
Description: "All ChartText consent kinds."
* include codes from system $ConsentKind

CodeSystem: NumberFlag
Id: number-flag
Title: "ChartText number flag"
Description: "Why a phone number (ContactPoint) was flagged as unable to receive SMS."
* ^caseSensitive = true
* ^content = #complete
* #invalid-number "Invalid number" "Twilio reported the number invalid (21211)."
* #not-mobile "Not a mobile number" "Twilio reported the number cannot receive SMS (21614)."
* #landline "Landline" "Delivery failed because the number is a landline (30006)."

ValueSet: NumberFlagVS
Id: number-flag
Title: "ChartText number flag"
Description: "All number flags."
* include codes from system $NumberFlag

CodeSystem: TwilioMessageStatus
Id: twilio-message-status
Title: "Twilio message status"
Description: "Twilio's Message status values, as Twilio spells them (https://www.twilio.com/docs/messaging/api/message-resource#message-status-values). Kept raw in the twilio-status extension; Communication.status carries the mapped FHIR status."
* ^caseSensitive = true
* ^content = #complete
* #accepted "Accepted" "A Messaging Service received the request."
* #scheduled "Scheduled" "Scheduled for later sending."
* #canceled "Canceled" "A scheduled message was canceled."
* #queued "Queued" "Waiting in Twilio's queue."
* #sending "Sending" "Being dispatched to the carrier."
* #sent "Sent" "The carrier accepted the message."
* #failed "Failed" "The message could not be sent."
* #delivered "Delivered" "The carrier confirmed delivery."
* #undelivered "Undelivered" "The carrier reported it could not deliver."
* #receiving "Receiving" "An inbound message is being received."
* #received "Received" "An inbound message was received."
* #read "Read" "Read by the recipient (WhatsApp only)."
* #partially_delivered "Partially delivered" "Some segments were delivered."

ValueSet: TwilioMessageStatusVS
Id: twilio-message-status
Title: "Twilio message status"
Description: "All Twilio message status values."
* include codes from system $TwilioStatus

CodeSystem: SmsEncoding
Id: sms-encoding
Title: "SMS encoding"
Description: "Character encoding of an SMS (GSM 03.38 7-bit, or UCS-2 when the text needs characters outside it); decides how many characters fit in a segment."
* ^caseSensitive = true
* ^content = #complete
* #GSM-7 "GSM-7" "GSM 03.38 7-bit alphabet: 160 characters in one segment, 153 per segment when split."
* #UCS-2 "UCS-2" "16-bit encoding: 70 characters in one segment, 67 per segment when split."

ValueSet: SmsEncodingVS
Id: sms-encoding
Title: "SMS encoding"
Description: "Both SMS encodings."
* include codes from system $SmsEncoding

ValueSet: OutboundSmsStatusVS
Id: outbound-sms-status
Title: "Outbound SMS status"
Description: "The Communication.status values an outbound message goes through: preparation (waiting for the relay) → in-progress (claimed, or accepted by Twilio) → completed (delivered) or stopped (failed, undelivered, canceled, or never sent)."
* $EventStatus#preparation
* $EventStatus#in-progress
* $EventStatus#completed
* $EventStatus#stopped

ValueSet: ThreadStatusVS
Id: thread-status
Title: "Thread status"
Description: "Status of a thread header: in-progress (open) or completed (closed)."
* $EventStatus#in-progress
* $EventStatus#completed
