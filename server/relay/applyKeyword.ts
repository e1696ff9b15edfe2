/**
 * STOP-family, START and HELP (detectKeyword.ts): the SMS Consent each opt-out or opt-in records, with the keyword
 * message as its source, for every patient the number is about (an opt-out is for the number: TCPA, CTIA).
 * The reply text is answered straight away by the webhook (TwiML) when the relay answers keywords.
 */
import type { BundleEntry } from '@medplum/fhirtypes';
import { IDENTIFIER_SYSTEMS } from '../../fhir-profiles/vocabulary';
import { smsConsent } from './checkConsent';
import type { RelaySettings } from './context';
import type { Keyword } from './detectKeyword';
import { identifierQuery } from './fileInbound';
import type { SenderMatch } from './matchSender';

/** The patients whose SMS consent a keyword from this sender changes. */
export function consentPatients(match: SenderMatch): string[] {
  switch (match.kind) {
    case 'one':
      return [match.patient];
    case 'several':
      return match.patients;
    case 'none':
      return [];
  }
}

/** Transaction entries recording the consent a keyword gives (none for HELP), idempotent on the message SID. */
export function keywordConsentEntries(options: {
  keyword: Keyword | undefined;
  match: SenderMatch;
  sid: string;
  /** The keyword message's text (the consent's source title). */
  body: string;
  messageFullUrl: string;
  settings: RelaySettings;
  now: Date;
}): BundleEntry[] {
  const { keyword } = options;
  if (keyword !== 'opt-out' && keyword !== 'opt-in') return [];
  const decision = keyword === 'opt-out' ? 'deny' : 'permit';
  return consentPatients(options.match).map((patient) => ({
    resource: smsConsent({
      patient,
      decision,
      now: options.now,
      organization: options.settings.practiceOrganization,
      sourceUrl: options.messageFullUrl,
      sourceTitle: options.body.trim().toUpperCase().slice(0, 20),
      ...(options.match.kind === 'one' ? { performer: options.match.participant } : {}),
      messageSid: options.sid,
    }),
    request: {
      method: 'POST',
      url: 'Consent',
      ifNoneExist: `${identifierQuery(IDENTIFIER_SYSTEMS.twilioMessageSid, options.sid)}&patient=${encodeURIComponent(patient)}`,
    },
  }));
}
