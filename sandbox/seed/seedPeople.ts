/**
 * The sandbox's people as FHIR: the practice Organization (with its SMS number), staff Practitioners and their
 * PractitionerRoles (login as identifier), the 26 Patients with MRNs and phones as the roster writes them, and the
 * family's RelatedPerson. All synthetic.
 */
import type { Organization, Patient, Practitioner, PractitionerRole, RelatedPerson } from '@medplum/fhirtypes';
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { CONCEPTS, EXTENSIONS, EXTERNAL_SYSTEMS, IDENTIFIER_SYSTEMS } from '../../fhir-profiles/vocabulary';
import type { RosterPatient } from './roster';
import { FAMILY_RELATED_PERSON, PATIENTS, PRACTICE, STAFF } from './roster';

/** Reference to the practice Organization. */
export const PRACTICE_REFERENCE = { reference: `Organization/${PRACTICE.organizationId}` } as const;

/** E.164 form of a number as a chart writes it (US numbering). */
export function toE164(written: string): string {
  const parsed = parsePhoneNumberFromString(written, 'US');
  if (!parsed?.isValid()) throw new Error(`Roster number "${written}" is not a valid US number`);
  return parsed.number;
}

const LANGUAGE_DISPLAY: Record<string, string> = { es: 'Spanish' };

/** The practice Organization; its SMS number is marked with EXTENSIONS.practiceSmsNumber. */
export function practiceOrganization(lastUpdated: string): Organization {
  return {
    resourceType: 'Organization',
    id: PRACTICE.organizationId,
    meta: { lastUpdated },
    active: true,
    name: PRACTICE.name,
    telecom: [
      {
        system: 'sms',
        value: PRACTICE.smsNumber,
        use: 'work',
        extension: [{ url: EXTENSIONS.practiceSmsNumber, valueBoolean: true }],
      },
      { system: 'phone', value: PRACTICE.voiceNumber, use: 'work' },
    ],
    address: [{ use: 'work', line: ['120 River Road'], city: 'Riverside', state: 'NJ', postalCode: '07000' }],
  };
}

/** Staff as Practitioners (identifier = sandbox login) and PractitionerRoles at the practice. */
export function staff(lastUpdated: string): (Practitioner | PractitionerRole)[] {
  return STAFF.flatMap((member): (Practitioner | PractitionerRole)[] => [
    {
      resourceType: 'Practitioner',
      id: member.id,
      meta: { lastUpdated },
      active: true,
      identifier: [{ system: IDENTIFIER_SYSTEMS.sandboxUser, value: member.login }],
      name: [
        {
          use: 'official',
          family: member.family,
          given: [member.given],
          ...('prefix' in member ? { prefix: [member.prefix] } : {}),
        },
      ],
    },
    {
      resourceType: 'PractitionerRole',
      id: `${member.id}-role`,
      meta: { lastUpdated },
      active: true,
      practitioner: { reference: `Practitioner/${member.id}` },
      organization: PRACTICE_REFERENCE,
      code: [{ text: member.role === 'clinician' ? 'Clinician' : 'Front desk' }],
    },
  ]);
}

function patientResource(patient: RosterPatient, index: number, lastUpdated: string): Patient {
  const clinicians = STAFF.filter((s) => s.role === 'clinician');
  const doctor = clinicians[index % clinicians.length];
  return {
    resourceType: 'Patient',
    id: patient.id,
    meta: { lastUpdated },
    identifier: [{ use: 'usual', type: CONCEPTS.mrnType, system: EXTERNAL_SYSTEMS.sandboxMrn, value: patient.mrn }],
    active: true,
    name: [{ use: 'official', family: patient.family, given: [patient.given] }],
    gender: patient.gender,
    birthDate: patient.birthDate,
    ...(patient.phone ? { telecom: [{ system: 'phone', value: patient.phone, use: patient.phoneUse }] } : {}),
    ...(patient.language
      ? {
          communication: [
            {
              language: {
                coding: [
                  {
                    system: EXTERNAL_SYSTEMS.bcp47,
                    code: patient.language,
                    display: LANGUAGE_DISPLAY[patient.language],
                  },
                ],
              },
              preferred: true,
            },
          ],
        }
      : {}),
    ...(doctor ? { generalPractitioner: [{ reference: `Practitioner/${doctor.id}` }] } : {}),
    managingOrganization: PRACTICE_REFERENCE,
  };
}

/** The roster's 26 patients. */
export function patients(lastUpdated: string): Patient[] {
  return PATIENTS.map((patient, index) => patientResource(patient, index, lastUpdated));
}

/** Lucas's father, who uses the family's shared phone. */
export function familyRelatedPerson(lastUpdated: string): RelatedPerson {
  return {
    resourceType: 'RelatedPerson',
    id: FAMILY_RELATED_PERSON.id,
    meta: { lastUpdated },
    active: true,
    patient: { reference: `Patient/${FAMILY_RELATED_PERSON.patientId}` },
    relationship: [
      {
        coding: [{ system: EXTERNAL_SYSTEMS.v3RoleCode, code: FAMILY_RELATED_PERSON.relationship, display: 'father' }],
      },
    ],
    name: [{ use: 'official', family: FAMILY_RELATED_PERSON.family, given: [FAMILY_RELATED_PERSON.given] }],
    telecom: [{ system: 'phone', value: FAMILY_RELATED_PERSON.phone, use: 'mobile' }],
  };
}
