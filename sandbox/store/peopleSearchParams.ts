/** Search parameters of the directory types: Patient, RelatedPerson, Practitioner, PractitionerRole, Organization. */
import type { Organization, Patient, Practitioner, PractitionerRole, RelatedPerson } from '@medplum/fhirtypes';
import {
  codeTokens,
  conceptTokens,
  dateValues,
  humanNameStrings,
  identifierTokens,
  referenceValues,
  stringValues,
  telecomTokens,
} from './indexValues';
import type { SearchParam } from './searchParamTypes';
import { on } from './searchParamTypes';

/** Patient search parameters. */
export const PATIENT: SearchParam[] = [
  {
    code: 'identifier',
    type: 'token',
    description: 'A patient identifier (system|value), e.g. the MRN.',
    extract: on<Patient>((r) => identifierTokens(r.identifier)),
  },
  {
    code: 'name',
    type: 'string',
    description: 'Any part of a name (family, given, prefix, suffix, text).',
    sortable: true,
    extract: on<Patient>((r) => humanNameStrings(r.name)),
  },
  {
    code: 'family',
    type: 'string',
    description: 'Family name.',
    sortable: true,
    extract: on<Patient>((r) => humanNameStrings(r.name, 'family')),
  },
  {
    code: 'given',
    type: 'string',
    description: 'Given name.',
    sortable: true,
    extract: on<Patient>((r) => humanNameStrings(r.name, 'given')),
  },
  {
    code: 'birthdate',
    type: 'date',
    description: 'Date of birth.',
    sortable: true,
    extract: on<Patient>((r) => dateValues(r.birthDate)),
  },
  {
    code: 'gender',
    type: 'token',
    description: 'Administrative gender.',
    extract: on<Patient>((r) => codeTokens(r.gender)),
  },
  {
    code: 'phone',
    type: 'token',
    description: 'A telecom value with system phone, matched exactly as written on the chart (not normalised).',
    extract: on<Patient>((r) => telecomTokens(r.telecom, 'phone')),
  },
  {
    code: 'telecom',
    type: 'token',
    description: 'Any telecom value, matched exactly as written.',
    extract: on<Patient>((r) => telecomTokens(r.telecom)),
  },
  {
    code: 'link',
    type: 'reference',
    targets: ['Patient', 'RelatedPerson'],
    description: 'Another patient or related person linked to this one.',
    extract: on<Patient>((r) => referenceValues(r.link?.map((l) => l.other))),
  },
];

const telecomParams = <T extends Patient | RelatedPerson | Practitioner | Organization>(): SearchParam[] => [
  {
    code: 'phone',
    type: 'token',
    description: 'A telecom value with system phone, matched exactly as written.',
    extract: on<T>((r) => telecomTokens(r.telecom, 'phone')),
  },
  {
    code: 'telecom',
    type: 'token',
    description: 'Any telecom value, matched exactly as written.',
    extract: on<T>((r) => telecomTokens(r.telecom)),
  },
];

/** RelatedPerson search parameters. */
export const RELATED_PERSON: SearchParam[] = [
  {
    code: 'identifier',
    type: 'token',
    description: 'Identifier.',
    extract: on<RelatedPerson>((r) => identifierTokens(r.identifier)),
  },
  {
    code: 'patient',
    type: 'reference',
    targets: ['Patient'],
    description: 'The patient this person is related to.',
    extract: on<RelatedPerson>((r) => referenceValues(r.patient)),
  },
  {
    code: 'name',
    type: 'string',
    description: 'Any part of a name.',
    sortable: true,
    extract: on<RelatedPerson>((r) => humanNameStrings(r.name)),
  },
  ...telecomParams<RelatedPerson>(),
];

/** Practitioner search parameters. */
export const PRACTITIONER: SearchParam[] = [
  {
    code: 'identifier',
    type: 'token',
    description: 'Identifier, e.g. the sandbox login.',
    extract: on<Practitioner>((r) => identifierTokens(r.identifier)),
  },
  {
    code: 'name',
    type: 'string',
    description: 'Any part of a name.',
    sortable: true,
    extract: on<Practitioner>((r) => humanNameStrings(r.name)),
  },
  {
    code: 'family',
    type: 'string',
    description: 'Family name.',
    sortable: true,
    extract: on<Practitioner>((r) => humanNameStrings(r.name, 'family')),
  },
  {
    code: 'given',
    type: 'string',
    description: 'Given name.',
    sortable: true,
    extract: on<Practitioner>((r) => humanNameStrings(r.name, 'given')),
  },
  ...telecomParams<Practitioner>(),
];

/** PractitionerRole search parameters. */
export const PRACTITIONER_ROLE: SearchParam[] = [
  {
    code: 'identifier',
    type: 'token',
    description: 'Identifier.',
    extract: on<PractitionerRole>((r) => identifierTokens(r.identifier)),
  },
  {
    code: 'practitioner',
    type: 'reference',
    targets: ['Practitioner'],
    description: 'The practitioner in this role.',
    extract: on<PractitionerRole>((r) => referenceValues(r.practitioner)),
  },
  {
    code: 'organization',
    type: 'reference',
    targets: ['Organization'],
    description: 'The organization the role is at.',
    extract: on<PractitionerRole>((r) => referenceValues(r.organization)),
  },
  {
    code: 'role',
    type: 'token',
    description: 'Role codings.',
    extract: on<PractitionerRole>((r) => conceptTokens(r.code)),
  },
];

/** Organization search parameters. */
export const ORGANIZATION: SearchParam[] = [
  {
    code: 'identifier',
    type: 'token',
    description: 'Identifier.',
    extract: on<Organization>((r) => identifierTokens(r.identifier)),
  },
  {
    code: 'name',
    type: 'string',
    description: 'Name or alias.',
    sortable: true,
    extract: on<Organization>((r) => stringValues(r.name, r.alias)),
  },
  ...telecomParams<Organization>(),
];
