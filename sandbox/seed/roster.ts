/**
 * The sandbox's synthetic people, with stable ids that tests, the simulators and the docs can name. Ids are opaque
 * (`p` + the MRN's last four digits, `rp…` for related persons): ids travel in URLs and logs, so none spells a name.
 * All names, dates and numbers are invented; numbers use the fictional 555-01xx range of area code 201.
 */

/** The practice: one Organization with one SMS number. */
export const PRACTICE = {
  organizationId: 'practice',
  name: 'Riverside Family Medicine',
  smsNumber: '+12015550100',
  voiceNumber: '(201) 555-0101',
} as const;

export interface StaffMember {
  id: string;
  login: string;
  given: string;
  family: string;
  prefix?: string;
  role: 'clinician' | 'front-desk';
}

/** Staff who can sign in to the sandbox EHR. */
export const STAFF = [
  { id: 'dr-lee', login: 'dlee', prefix: 'Dr.', given: 'Dana', family: 'Lee', role: 'clinician' },
  { id: 'dr-okafor', login: 'cokafor', prefix: 'Dr.', given: 'Chidi', family: 'Okafor', role: 'clinician' },
  { id: 'np-silva', login: 'msilva', given: 'Marta', family: 'Silva', role: 'clinician' },
  { id: 'fd-brooks', login: 'jbrooks', given: 'Jordan', family: 'Brooks', role: 'front-desk' },
] as const satisfies readonly StaffMember[];

export type PhoneKind = 'mobile' | 'home' | 'none';

export interface RosterPatient {
  id: string;
  given: string;
  family: string;
  gender: 'female' | 'male' | 'other';
  birthDate: string;
  mrn: string;
  /** As the EHR stores it: mixed written forms on purpose. */
  phone?: string;
  phoneUse?: 'mobile' | 'home';
  /** BCP-47 preferred language, when not English. */
  language?: 'es';
}

/** Patients with a role in tests and demos. */
export const SPECIAL_PATIENTS = {
  /** A long thread (2,000+ messages over past weeks). */
  longThread: 'p0001', // María García
  /** Opted out of SMS: Consent deny. */
  optedOut: 'p0002', // Robert Chen
  /** Only a landline (home) number. */
  landlineOnly: 'p0003', // Evelyn Wright
  /** No phone at all. */
  noPhone: 'p0004', // Samuel Okoro
  /** Two patients sharing one mobile number, with a RelatedPerson (the parent). */
  familyParent: 'p0005', // Ana Torres
  familyChild: 'p0006', // Lucas Torres
} as const;

/** The shared family number (written differently on each chart). */
export const FAMILY_NUMBER_E164 = '+12015550142';

/** The RelatedPerson: Lucas's father, whose phone the family shares. */
export const FAMILY_RELATED_PERSON = {
  id: 'rp0001',
  patientId: SPECIAL_PATIENTS.familyChild,
  given: 'Miguel',
  family: 'Torres',
  relationship: 'FTH',
  phone: '201-555-0142',
} as const;

/** 26 patients. Phone numbers are written in the forms real charts hold. */
// prettier-ignore: one patient per line reads as a table.
// prettier-ignore
export const PATIENTS: readonly RosterPatient[] = [
  { id: 'p0001', given: 'María', family: 'García', gender: 'female', birthDate: '1968-04-12', mrn: 'RF100001', phone: '(201) 555-0123', phoneUse: 'mobile', language: 'es' },
  { id: 'p0002', given: 'Robert', family: 'Chen', gender: 'male', birthDate: '1955-09-30', mrn: 'RF100002', phone: '+12015550124', phoneUse: 'mobile' },
  { id: 'p0003', given: 'Evelyn', family: 'Wright', gender: 'female', birthDate: '1941-01-17', mrn: 'RF100003', phone: '201.555.0125', phoneUse: 'home' },
  { id: 'p0004', given: 'Samuel', family: 'Okoro', gender: 'male', birthDate: '1990-06-05', mrn: 'RF100004' },
  { id: 'p0005', given: 'Ana', family: 'Torres', gender: 'female', birthDate: '1984-11-23', mrn: 'RF100005', phone: '(201) 555-0142', phoneUse: 'mobile', language: 'es' },
  { id: 'p0006', given: 'Lucas', family: 'Torres', gender: 'male', birthDate: '2014-03-08', mrn: 'RF100006', phone: '201-555-0142', phoneUse: 'mobile', language: 'es' },
  { id: 'p0007', given: 'James', family: "O'Brien", gender: 'male', birthDate: '1972-07-19', mrn: 'RF100007', phone: '+1 201 555 0126', phoneUse: 'mobile' },
  { id: 'p0008', given: 'Aisha', family: 'Rahman', gender: 'female', birthDate: '1995-02-14', mrn: 'RF100008', phone: '2015550127', phoneUse: 'mobile' },
  { id: 'p0009', given: 'Thomas', family: 'Müller', gender: 'male', birthDate: '1960-12-01', mrn: 'RF100009', phone: '(201) 555-0128', phoneUse: 'mobile' },
  { id: 'p0010', given: 'Grace', family: 'Kim', gender: 'female', birthDate: '1988-08-27', mrn: 'RF100010', phone: '201.555.0129', phoneUse: 'mobile' },
  { id: 'p0011', given: 'David', family: 'Nguyen', gender: 'male', birthDate: '1979-05-03', mrn: 'RF100011', phone: '+12015550130', phoneUse: 'mobile' },
  { id: 'p0012', given: 'Fatima', family: 'Hassan', gender: 'female', birthDate: '2001-10-10', mrn: 'RF100012', phone: '(201) 555-0131', phoneUse: 'mobile' },
  { id: 'p0013', given: 'William', family: 'Johnson', gender: 'male', birthDate: '1949-03-22', mrn: 'RF100013', phone: '201-555-0132', phoneUse: 'mobile' },
  { id: 'p0014', given: 'Sofia', family: 'Rossi', gender: 'female', birthDate: '1993-06-29', mrn: 'RF100014', phone: '+1 (201) 555-0133', phoneUse: 'mobile' },
  { id: 'p0015', given: 'Kwame', family: 'Mensah', gender: 'male', birthDate: '1981-01-04', mrn: 'RF100015', phone: '201.555.0134', phoneUse: 'mobile' },
  { id: 'p0016', given: 'Linda', family: 'Park', gender: 'female', birthDate: '1966-09-15', mrn: 'RF100016', phone: '(201) 555-0135', phoneUse: 'mobile' },
  { id: 'p0017', given: 'Carlos', family: 'Mendoza', gender: 'male', birthDate: '1958-04-18', mrn: 'RF100017', phone: '+12015550136', phoneUse: 'mobile', language: 'es' },
  { id: 'p0018', given: 'Hannah', family: 'Schmidt', gender: 'female', birthDate: '1999-12-12', mrn: 'RF100018', phone: '2015550137', phoneUse: 'mobile' },
  { id: 'p0019', given: 'Raj', family: 'Patel', gender: 'male', birthDate: '1975-02-28', mrn: 'RF100019', phone: '201-555-0138', phoneUse: 'mobile' },
  { id: 'p0020', given: 'Emily', family: 'Davis', gender: 'female', birthDate: '1987-07-07', mrn: 'RF100020', phone: '(201) 555-0139', phoneUse: 'mobile' },
  { id: 'p0021', given: 'Yuki', family: 'Tanaka', gender: 'female', birthDate: '1970-11-02', mrn: 'RF100021', phone: '+1 201-555-0140', phoneUse: 'mobile' },
  { id: 'p0022', given: 'Oluwaseun', family: 'Adeyemi', gender: 'male', birthDate: '1992-05-21', mrn: 'RF100022', phone: '201.555.0141', phoneUse: 'mobile' },
  { id: 'p0023', given: 'Isabel', family: 'Romero', gender: 'female', birthDate: '1963-03-11', mrn: 'RF100023', phone: '(201) 555-0143', phoneUse: 'mobile', language: 'es' },
  { id: 'p0024', given: 'Peter', family: 'Novak', gender: 'male', birthDate: '1951-08-09', mrn: 'RF100024', phone: '+12015550144', phoneUse: 'mobile' },
  { id: 'p0025', given: 'Chloé', family: 'Martin', gender: 'female', birthDate: '2003-04-30', mrn: 'RF100025', phone: '201-555-0145', phoneUse: 'mobile' },
  { id: 'p0026', given: 'Ahmed', family: 'Ali', gender: 'male', birthDate: '1983-10-16', mrn: 'RF100026', phone: '2015550146', phoneUse: 'mobile' },
];

/** A number that belongs to nobody in the sandbox, for unknown-number triage. */
export const UNKNOWN_NUMBER_E164 = '+12015550199';

/** The fixed "now" the seed's message history is written relative to (threads over the weeks before it). */
export const SEED_EPOCH = '2026-11-01T15:00:00Z';
