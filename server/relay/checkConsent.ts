/**
 * SMS consent: one Consent per decision (STOP, START, a staff action, a Twilio 21610), the latest active one decides;
 * no Consent at all means texting is allowed (opt-out model, Consent.policyRule OPTOUT). Because "none" sends, the
 * relay reads every page of the search: a result it could not read whole is no answer, and nothing is sent on it
 * (the page of messages stays pending for the next sweep). See docs/decisions/053.
 * https://hl7.org/fhir/R4/consent.html
 */
import type { Bundle, Consent } from '@medplum/fhirtypes';
import { CONCEPTS, IDENTIFIER_SYSTEMS, PROFILES, TOKENS } from '../../fhir-profiles/vocabulary';
import type { RelayContext } from './context';
import { matches } from './fhirStore';

export type ConsentDecision = 'permit' | 'deny' | 'none';

/** Consents read per page, and pages read at most for one page of pending messages. */
const CONSENT_PAGE = 1_000;
const MAX_CONSENT_PAGES = 20;

/** The EHR's SMS consents could not be read whole: no message of the page may be sent on a guess. */
export class ConsentUnknownError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConsentUnknownError';
  }
}

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
  let page: Bundle | undefined = await ctx.fhir.search('Consent', {
    patient: unique.join(','),
    category: TOKENS.smsConsent,
    status: 'active',
    _count: String(CONSENT_PAGE),
  });
  const total = page.total;
  const consents: Consent[] = [];
  for (let read = 1; page; read++) {
    consents.push(...matches<Consent>(page, 'Consent'));
    if (read >= MAX_CONSENT_PAGES && page.link?.some((link) => link.relation === 'next')) {
      ctx.log.error({ read: consents.length, pages: read }, 'too many SMS consents to read; the page is not sent');
      throw new ConsentUnknownError(`More than ${MAX_CONSENT_PAGES * CONSENT_PAGE} SMS consents for one page`);
    }
    page = await ctx.fhir.nextPage(page);
  }
  if (total !== undefined && consents.length < total) {
    ctx.log.error({ total, read: consents.length }, 'the EHR returned fewer SMS consents than it counted; not sent');
    throw new ConsentUnknownError(`The EHR reported ${total} SMS consents and returned ${consents.length}`);
  }
  const byPatient = new Map<string, Consent[]>();
  for (const consent of consents) {
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
