/**
 * The phones the simulator shows, and its default failure rules, from the sandbox roster: each patient's number
 * normalised to E.164 (charts write them in mixed forms), one phone per number (a shared family number is one phone
 * with several owners), plus the unknown phone for triage demos.
 */
import { createHash } from 'node:crypto';
import { PATIENTS, PRACTICE, SPECIAL_PATIENTS, UNKNOWN_NUMBER_E164, type RosterPatient } from '../seed/roster';
import { normalizeToE164 } from './phoneNumbers';

export interface SimulatedPhone {
  /** Opaque id used in the page's URLs and events, so no phone number appears in a URL or a log. */
  key: string;
  number: string;
  /** Who holds this phone, as the page labels it. */
  owners: string[];
  kind: 'mobile' | 'landline' | 'unknown';
}

/** A rule that makes a message to `to` end undelivered or failed with a Twilio error code (e.g. 30006). */
export interface DeliveryFailureRule {
  to: string;
  status: 'undelivered' | 'failed';
  errorCode: number;
}

/** A rule that makes the REST create for `to` fail with a Twilio error code (e.g. 21614). */
export interface CreateFailureRule {
  to: string;
  errorCode: number;
}

/** The opaque key of a phone number. */
export function phoneKey(number: string): string {
  return 'p' + createHash('sha256').update(number).digest('hex').slice(0, 10);
}

const displayName = (patient: RosterPatient): string => `${patient.given} ${patient.family}`;

/** Phones for the roster's patients (those with a number) and the unknown number. */
export function rosterPhones(patients: readonly RosterPatient[] = PATIENTS): SimulatedPhone[] {
  const byNumber = new Map<string, SimulatedPhone>();
  for (const patient of patients) {
    if (patient.phone === undefined) continue;
    const number = normalizeToE164(patient.phone);
    if (number === undefined) throw new Error(`Roster patient ${patient.id} has a phone number that does not parse`);
    const existing = byNumber.get(number);
    if (existing) {
      existing.owners.push(displayName(patient));
    } else {
      byNumber.set(number, {
        key: phoneKey(number),
        number,
        owners: [displayName(patient)],
        kind: patient.phoneUse === 'home' ? 'landline' : 'mobile',
      });
    }
  }
  byNumber.set(UNKNOWN_NUMBER_E164, {
    key: phoneKey(UNKNOWN_NUMBER_E164),
    number: UNKNOWN_NUMBER_E164,
    owners: ['Unknown phone'],
    kind: 'unknown',
  });
  return [...byNumber.values()];
}

const numberOf = (patientId: string): string => {
  const patient = PATIENTS.find((candidate) => candidate.id === patientId);
  const number = patient?.phone === undefined ? undefined : normalizeToE164(patient.phone);
  if (number === undefined) throw new Error(`Roster patient ${patientId} has no usable phone number`);
  return number;
};

/** The roster's failure rules: the landline-only patient's texts end undelivered with 30006. */
export function rosterDeliveryFailures(): DeliveryFailureRule[] {
  return [{ to: numberOf(SPECIAL_PATIENTS.landlineOnly), status: 'undelivered', errorCode: 30006 }];
}

/** Numbers that start opted out of the practice number (the seeded opted-out patient), until they text START. */
export function rosterInitialOptOuts(): Array<{ phone: string; practice: string }> {
  return [{ phone: numberOf(SPECIAL_PATIENTS.optedOut), practice: PRACTICE.smsNumber }];
}
