/**
 * Whether the composer can send, and if not, why, in words: no SMS-capable number, a landline only, a number
 * flagged as unable to receive texts, an SMS opt-out (latest active Consent deny), or a token that cannot create
 * Communications. Mirrors what the relay checks before sending (DESIGN.md "Send").
 */
import type { Consent, ContactPoint, Patient } from '@medplum/fhirtypes';
import { CODE_SYSTEMS, CODES, EXTENSIONS, hasCoding } from '../../fhir-profiles/vocabulary';
import { grants, scopeNeeded, type ScopeForm } from '../../launch/scopes';

export type BlockReason = 'no-number' | 'landline' | 'flagged' | 'opted-out' | 'cannot-write';

export type Availability =
  | { canSend: true; destination: string }
  | { canSend: false; reason: BlockReason; message: string; destination?: string };

/** "•••-•••-0123": enough to recognise the number, not enough to leak it over a shoulder. */
export function maskNumber(value: string | undefined): string {
  const digits = (value ?? '').replace(/\D/g, '');
  return digits.length >= 4 ? `•••-•••-${digits.slice(-4)}` : '•••';
}

function active(point: ContactPoint, now: Date): boolean {
  return !point.period?.end || new Date(point.period.end) > now;
}

function flag(point: ContactPoint): string | undefined {
  const ext = point.extension?.find((e) => e.url === EXTENSIONS.numberFlag);
  return ext ? (ext.valueCoding?.code ?? ext.valueCode ?? 'flagged') : undefined;
}

const FLAG_WORDS: Record<string, string> = {
  [CODES.numberFlag.invalid]: 'it is not a valid number',
  [CODES.numberFlag.notMobile]: 'it is not a mobile number',
  [CODES.numberFlag.landline]: 'it is a landline',
};

export type Destination =
  | { kind: 'ok'; point: ContactPoint }
  | { kind: 'flagged'; point: ContactPoint; flag: string }
  | { kind: 'landline'; point: ContactPoint }
  | { kind: 'none' };

/** The number a text would go to: an `sms` contact point first, then a `mobile` phone, like the relay. */
export function smsDestination(patient: Patient, now = new Date()): Destination {
  const points = (patient.telecom ?? []).filter((p) => p.value && active(p, now) && p.use !== 'old');
  const candidates = [
    ...points.filter((p) => p.system === 'sms'),
    ...points.filter((p) => p.system === 'phone' && p.use === 'mobile'),
  ].sort((a, b) => (a.rank ?? Number.MAX_SAFE_INTEGER) - (b.rank ?? Number.MAX_SAFE_INTEGER));
  const usable = candidates.find((p) => flag(p) === undefined);
  if (usable) return { kind: 'ok', point: usable };
  const flagged = candidates[0];
  if (flagged) return { kind: 'flagged', point: flagged, flag: flag(flagged) ?? 'flagged' };
  const phone = points.find((p) => p.system === 'phone');
  return phone ? { kind: 'landline', point: phone } : { kind: 'none' };
}

/** The patient's current SMS consent: the latest active SMS Consent decides; none on file means texts are allowed. */
export function smsConsentDecision(consents: readonly Consent[]): { decision: 'permit' | 'deny'; since?: string } {
  const sms = consents
    .filter((c) => c.status === 'active' && hasCoding(c.category, CODE_SYSTEMS.consentKind, CODES.consentKind.sms))
    .sort((a, b) => ((a.dateTime ?? a.meta?.lastUpdated ?? '') < (b.dateTime ?? b.meta?.lastUpdated ?? '') ? 1 : -1));
  const latest = sms[0];
  if (!latest) return { decision: 'permit' };
  const since = latest.dateTime ?? latest.meta?.lastUpdated;
  return { decision: latest.provision?.type === 'deny' ? 'deny' : 'permit', ...(since ? { since } : {}) };
}

/** Whether the composer can send, with the reason when it cannot. */
export function composerAvailability(input: {
  patient: Patient;
  consents: readonly Consent[];
  scopes: readonly string[];
  scopeForm: ScopeForm;
  now?: Date;
}): Availability {
  const destination = smsDestination(input.patient, input.now);
  const masked = destination.kind === 'none' ? undefined : maskNumber(destination.point.value);
  const withMasked = masked ? { destination: masked } : {};
  if (!grants(input.scopes, 'Communication', 'c')) {
    return {
      canSend: false,
      reason: 'cannot-write',
      message: `You can read this conversation but not send: ChartText was not granted permission to create messages (${scopeNeeded('chart', input.scopeForm, 'Communication', 'c')}). Ask your EHR administrator.`,
      ...withMasked,
    };
  }
  const consent = smsConsentDecision(input.consents);
  if (consent.decision === 'deny') {
    const when = consent.since ? ` on ${new Date(consent.since).toLocaleDateString()}` : '';
    return {
      canSend: false,
      reason: 'opted-out',
      message: `Texting is off: the patient opted out of texts${when}. They can text START to opt back in.`,
      ...withMasked,
    };
  }
  switch (destination.kind) {
    case 'ok':
      return { canSend: true, destination: maskNumber(destination.point.value) };
    case 'flagged':
      return {
        canSend: false,
        reason: 'flagged',
        message: `Texting is off: the mobile number on file (${masked}) cannot receive texts — ${FLAG_WORDS[destination.flag] ?? 'it was flagged by the SMS provider'}. Update it in the chart.`,
        ...withMasked,
      };
    case 'landline':
      return {
        canSend: false,
        reason: 'landline',
        message: `Texting is off: the only number on file (${masked}) is not a mobile number. Add a mobile number in the chart.`,
        ...withMasked,
      };
    case 'none':
      return {
        canSend: false,
        reason: 'no-number',
        message: 'Texting is off: the patient has no mobile number on file. Add one in the chart.',
      };
  }
}
