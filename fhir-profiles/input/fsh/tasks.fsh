// Front-desk work items as Tasks, so EHR worklists can show them too.

RuleSet: FrontDeskTask
* intent = #order
* authoredOn 1..1
* owner only Reference(Practitioner or PractitionerRole)
* owner ^short = "Who the item is assigned to; absent = unassigned"

Invariant: ctt-task-1
Description: "A completed needs-response Task says how it was closed: answered or no-reply-needed."
Expression: "status = 'completed' implies businessStatus.coding.where(code = 'answered' or code = 'no-reply-needed').exists()"
Severity: #error

Invariant: ctt-task-2
Description: "An open Task has business status waiting."
Expression: "(status = 'completed' or status = 'cancelled' or status = 'failed' or status = 'rejected' or status = 'entered-in-error') or businessStatus.coding.where(code = 'waiting').exists()"
Severity: #error

Invariant: ctt-task-3
Description: "A completed triage Task says how it was closed: linked, wrong-number or spam."
Expression: "status = 'completed' implies businessStatus.coding.where(code = 'linked' or code = 'wrong-number' or code = 'spam').exists()"
Severity: #error

Invariant: ctt-task-4
Description: "A triage Task closed as linked names the patient in for."
Expression: "businessStatus.coding.where(code = 'linked').exists() implies for.exists()"
Severity: #error

Profile: ChartTextNeedsResponseTask
Parent: Task
Id: ChartTextNeedsResponseTask
Title: "ChartText needs-response Task"
Description: "A thread waits for a staff answer. The relay opens it (or reopens it: back to requested and waiting) when a patient texts; it is completed when staff reply (answered) or decide no reply is needed. One per thread header. Task.owner is the assignment."
* obeys ctt-task-1 and ctt-task-2
* insert FrontDeskTask
* code 1..1
* code = $TaskCode#needs-response
* focus 1..1
* focus only Reference(ChartTextThreadHeader)
* for 1..1
* for only Reference(Patient)
* businessStatus 1..1
* businessStatus from NeedsResponseBusinessStatusVS (required)
* executionPeriod.start ^short = "When the oldest unanswered inbound message arrived (the wait the inbox shows)"

Profile: ChartTextTriageTask
Parent: Task
Id: ChartTextTriageTask
Title: "ChartText triage Task"
Description: "An inbound text from an unknown or shared number waits for the front desk to link it to a patient, or to mark it wrong number or spam. The relay creates it with the unmatched message, idempotently through the triage identifier (the message's Twilio SID)."
* obeys ctt-task-2 and ctt-task-3 and ctt-task-4
* insert FrontDeskTask
* insert IdentifierSlicing
* identifier contains triage 1..1
* identifier[triage] ^short = "The Twilio SID of the message being triaged"
* identifier[triage].system 1..1
* identifier[triage].system = $TriageKey
* identifier[triage].value 1..1
* code 1..1
* code = $TaskCode#triage-unmatched
* focus 1..1
* focus only Reference(ChartTextUnmatchedInboundSms or ChartTextInboundSms)
* focus ^short = "The unmatched message (an inbound SMS once linked)"
* for only Reference(Patient)
* for ^short = "The patient the message was linked to"
* businessStatus 1..1
* businessStatus from TriageBusinessStatusVS (required)
