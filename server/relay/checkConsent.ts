/**
 * SMS consent: one Consent per decision (STOP, START, a staff action, a Twilio 21610), the latest active one decides;
 * no Consent at all means texting is allowed (opt-out model, Consent.policyRule OPTOUT). See docs/decisions/053.
 * https://hl7.org/fhir/R4/consent.html
 */
import type { Consent } from '@medplum/fhirtypes';
import { CONCEPTS, IDENTIFIER_SYSTEMS, PROFILES, TOKENS } from '../../fhir-profiles/vocabulary';
import type { RelayContext } from './context';
import { matches } from './fhirStore';

export type ConsentDecision = 'permit' | 'deny' | 'none';

function when(consent: Consent): number {
  const value = consent.dateTime ?? consent.meta?.lastUpdated;
  return value ? Date.parse(value) : 0;
}

/** The decision of the latest active SMS consent among `consents` (pure). */
export function consentDecision(consents: readonly Consent[]): ConsentDecision {
  const latest = consents
    .filter((consent) => consent.status === 'active' && consent.provision?.type)
    .sort((a, b) => when(b) - when(a) || (b.meta?.lastUpdated ?? '').localeCompare(a.meta?.lastUpdated ?? ''))[0];
  return latest?.provision?.type ?? 'none';
}

/** The SMS consent decisions of several patients, with one search. */
export async function loadConsentDecisions(
  ctx: RelayContext,
  patients: readonly string[],
): Promise<Map<string, ConsentDecision>> {
  const unique = [...new Set(patients)];
  const decisions = new Map<string, ConsentDecision>(unique.map((patient) => [patient, 'none']));
  if (unique.length === 0) return decisions;
  const bundle = await ctx.fhir.search('Consent', {
    patient: unique.join(','),
    category: TOKENS.smsConsent,
    status: 'active',
    _count: '1000',
  });
  const byPatient = new Map<string, Consent[]>();
  for (const consent of matches<Consent>(bundle, 'Consent')) {
    const patient = consent.patient?.reference;
    if (!patient) continue;
    byPatient.set(patient, [...(byPatient.get(patient) ?? []), consent]);
  }
  for (const [patient, consents] of byPatient) decisions.set(patient, consentDecision(consents));
  return decisions;
}

/** A new SMS Consent recording `decision` for `patient`, resting on the message or event that caused it. */
export function smsConsent(options: {
  patient: string;
  decision: 'permit' | 'deny';
  now: Date;
  organization: string;
  /** `Communication/<id>` (or its urn:uuid inside a transaction) of the keyword message or the refused send. */
  sourceUrl: string;
  /** What the choice rests on, e.g. the keyword "STOP" or "Twilio 21610". */
  sourceTitle: string;
  /** Who made the choice (the texting Patient or RelatedPerson), when known. */
  performer?: string;
  /** The inbound SID (STOP/START), which makes the write idempotent. */
  messageSid?: string;
}): Consent {
  return {
    resourceType: 'Consent',
    meta: { profile: [PROFILES.smsConsent] },
    status: 'active',
    scope: CONCEPTS.smsConsentScope,
    category: [CONCEPTS.smsConsentCategory],
    patient: { reference: options.patient },
    dateTime: options.now.toISOString(),
    organization: [{ reference: options.organization }],
    ...(options.performer ? { performer: [{ reference: options.performer }] } : {}),
    sourceAttachment: { url: options.sourceUrl, title: options.sourceTitle },
    policyRule: CONCEPTS.smsConsentPolicy,
    provision: { type: options.decision, period: { start: options.now.toISOString() } },
    ...(options.messageSid
      ? { identifier: [{ system: IDENTIFIER_SYSTEMS.twilioMessageSid, value: options.messageSid }] }
      : {}),
  };
}
