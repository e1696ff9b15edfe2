// SMS consent: one Consent per patient, checked by the relay before every send.

Profile: ChartTextSmsConsent
Parent: Consent
Id: ChartTextSmsConsent
Title: "ChartText SMS consent"
Description: "Whether the practice may text a patient. Texting is allowed unless the patient opts out (policy v3 ActCode OPTOUT): STOP and its synonyms record provision.type deny, START records permit, and staff can record either. The relay checks it before every send; the app shows it."
* status ^short = "active; the latest active SMS consent of a patient is the one that counts"
* scope = $ConsentScope#patient-privacy
* category ^slicing.discriminator.type = #pattern
* category ^slicing.discriminator.path = "$this"
* category ^slicing.rules = #open
* category contains sms 1..1
* category[sms] ^short = "LOINC 59284-0 Patient consent, with ChartText's consent-kind sms coding"
* category[sms] ^patternCodeableConcept.coding[0] = $LOINC#59284-0
* category[sms] ^patternCodeableConcept.coding[1] = $ConsentKind#sms
* patient 1..1
* patient only Reference(Patient)
* dateTime 1..1
* dateTime ^short = "When the patient (or staff) made the choice"
* performer only Reference(Patient or RelatedPerson or Practitioner or PractitionerRole)
* performer ^short = "The patient who texted the keyword, or the staff member who recorded the choice"
* source[x] only Attachment
* source[x] ^short = "What the choice rests on: for a keyword, url = the inbound Communication (Communication/<id>) and title = the keyword"
* policyRule 1..1
* policyRule = $ActCode#OPTOUT
* provision 1..1
* provision.type 1..1
* provision.type ^short = "deny (opted out, e.g. STOP) | permit (opted back in, e.g. START)"
