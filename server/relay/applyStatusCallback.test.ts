import type { Communication } from '@medplum/fhirtypes';
import { describe, expect, test } from 'vitest';
import { EXTENSIONS, IDENTIFIER_SYSTEMS } from '../../fhir-profiles/vocabulary';
import { applyStatusReport, type StatusReport } from './applyStatusCallback';
import { sidOf, twilioStatusOf } from './outboundFields';

const OLD_SID = `SM${'a'.repeat(32)}`;
const NEW_SID = `SM${'b'.repeat(32)}`;
const NOW = new Date('2026-11-01T10:00:00.000Z');

/** An outbound message in a given state: its status, send attempt, recorded SID and earlier attempts' SIDs. */
function message(state: {
  status: Communication['status'];
  attempt?: number;
  sid?: string;
  previous?: string[];
  twilioStatus?: string;
}): Communication {
  return {
    resourceType: 'Communication',
    id: 'm1',
    meta: { versionId: '3' },
    status: state.status,
    identifier: [
      ...(state.previous ?? []).map((value) => ({
        use: 'old' as const,
        system: IDENTIFIER_SYSTEMS.previousTwilioMessageSid,
        value,
      })),
      ...(state.sid ? [{ system: IDENTIFIER_SYSTEMS.twilioMessageSid, value: state.sid }] : []),
    ],
    extension: [
      ...(state.attempt ? [{ url: EXTENSIONS.sendAttempt, valuePositiveInt: state.attempt }] : []),
      ...(state.twilioStatus ? [{ url: EXTENSIONS.twilioStatus, valueCode: state.twilioStatus }] : []),
    ],
  };
}

const report = (sid: string, status: StatusReport['status'], attempt?: number): StatusReport => ({
  sid,
  status,
  communicationId: 'm1',
  ...(attempt === undefined ? {} : { attempt }),
});

describe('applyStatusReport: whose callback it is', () => {
  test.each([
    [
      'a claim in flight hears of its own SMS (same attempt)',
      message({ status: 'in-progress', attempt: 1 }),
      report(OLD_SID, 'sent', 1),
      OLD_SID,
    ],
    [
      'a claim in flight hears of the SMS it already recorded',
      message({ status: 'in-progress', attempt: 1, sid: OLD_SID, twilioStatus: 'queued' }),
      report(OLD_SID, 'delivered', 1),
      OLD_SID,
    ],
    [
      'a callback with the SID already recorded and no attempt in its URL (sent before URLs carried it)',
      message({ status: 'in-progress', attempt: 1, sid: OLD_SID, twilioStatus: 'queued' }),
      report(OLD_SID, 'sent'),
      OLD_SID,
    ],
  ])('when %s, then it applies', (_case, current, incoming, sid) => {
    const next = applyStatusReport(current, incoming, NOW);
    expect(next).toBeDefined();
    expect(next && sidOf(next)).toBe(sid);
    expect(next && twilioStatusOf(next)).toBe(incoming.status);
  });

  test.each([
    [
      'the message went back to preparation (Retry) and attempt 1’s late callback arrives',
      message({ status: 'preparation', attempt: 2, previous: [OLD_SID] }),
      report(OLD_SID, 'sent', 1),
    ],
    [
      'the message is back in preparation and the callback claims its current attempt',
      message({ status: 'preparation', attempt: 2 }),
      report(OLD_SID, 'sent', 2),
    ],
    [
      'the retried message is claimed again (attempt 3) and attempt 1’s callback arrives',
      message({ status: 'in-progress', attempt: 3, previous: [OLD_SID] }),
      report(OLD_SID, 'delivered', 1),
    ],
    [
      'a claim in flight hears of an SMS with another attempt number',
      message({ status: 'in-progress', attempt: 3 }),
      report(OLD_SID, 'sent', 2),
    ],
    [
      'a claim in flight hears of an SMS through a URL without attempt',
      message({ status: 'in-progress', attempt: 1 }),
      report(OLD_SID, 'sent'),
    ],
    [
      'the new attempt has its SID and attempt 1’s callback arrives',
      message({ status: 'in-progress', attempt: 3, sid: NEW_SID, previous: [OLD_SID], twilioStatus: 'queued' }),
      report(OLD_SID, 'delivered', 1),
    ],
    [
      'the SID of an earlier attempt is reported with the current attempt number',
      message({ status: 'in-progress', attempt: 3, previous: [OLD_SID] }),
      report(OLD_SID, 'sent', 3),
    ],
    [
      'the relay stopped the message itself (consent) and a callback arrives',
      message({ status: 'stopped', attempt: 1 }),
      report(OLD_SID, 'sent', 1),
    ],
  ])('when %s, then nothing changes', (_case, current, incoming) => {
    expect(applyStatusReport(current, incoming, NOW)).toBeUndefined();
  });
});
