import { describe, expect, test } from 'vitest';
import { EXTENSIONS, IDENTIFIER_SYSTEMS } from '../../fhir-profiles/vocabulary';
import { outboundMessage, twilioErrorReason, twilioOutcome } from '../../test/fixtures/messages';
import { retryVersion } from './retryMessage';

describe('retryVersion', () => {
  const failed = outboundMessage({
    id: 'm1',
    status: 'stopped',
    statusReason: twilioErrorReason(30003, 'Unreachable'),
    identifier: [
      { system: IDENTIFIER_SYSTEMS.clientMessageId, value: 'uuid-1' },
      { system: IDENTIFIER_SYSTEMS.twilioMessageSid, value: 'SM123' },
    ],
    extension: [
      ...twilioOutcome('undelivered', { code: 30003, message: 'Unreachable' }),
      { url: EXTENSIONS.segmentCount, valuePositiveInt: 1 },
    ],
  });

  test('when a failed message is retried, then the same resource goes back to preparation as attempt 2', () => {
    const next = retryVersion(failed);
    expect(next).toMatchObject({ id: 'm1', status: 'preparation' });
    expect(next.statusReason).toBeUndefined();
    expect(next.sent).toBeUndefined();
    expect(next.identifier).toEqual([
      { system: IDENTIFIER_SYSTEMS.clientMessageId, value: 'uuid-1' },
      { use: 'old', system: IDENTIFIER_SYSTEMS.previousTwilioMessageSid, value: 'SM123' },
    ]);
    expect(next.extension).toEqual([
      { url: EXTENSIONS.segmentCount, valuePositiveInt: 1 },
      { url: EXTENSIONS.sendAttempt, valuePositiveInt: 2 },
    ]);
  });

  test('when the Twilio SID is the only identifier, then it leaves the SID slot and is kept as an earlier attempt', () => {
    const next = retryVersion({
      ...failed,
      identifier: [{ system: IDENTIFIER_SYSTEMS.twilioMessageSid, value: 'SM123' }],
    });
    expect(next.identifier).toEqual([
      { use: 'old', system: IDENTIFIER_SYSTEMS.previousTwilioMessageSid, value: 'SM123' },
    ]);
  });

  test('when a message failed before it had a SID, then the retried version has no identifier at all', () => {
    const { identifier: _none, ...withoutIdentifiers } = failed;
    expect(retryVersion(withoutIdentifiers).identifier).toBeUndefined();
  });

  test('when a message is retried twice, then both earlier SIDs are kept and the slot for the next one is free', () => {
    const second = { ...retryVersion(failed), status: 'stopped' as const };
    second.identifier = [...(second.identifier ?? []), { system: IDENTIFIER_SYSTEMS.twilioMessageSid, value: 'SM456' }];
    const third = retryVersion(second);
    expect(third.identifier?.filter((i) => i.system === IDENTIFIER_SYSTEMS.twilioMessageSid)).toEqual([]);
    expect(
      third.identifier?.filter((i) => i.system === IDENTIFIER_SYSTEMS.previousTwilioMessageSid).map((i) => i.value),
    ).toEqual(['SM123', 'SM456']);
  });

  test('a third attempt counts on from the extension', () => {
    expect(retryVersion(retryVersion(failed)).extension?.find((e) => e.url === EXTENSIONS.sendAttempt)).toEqual({
      url: EXTENSIONS.sendAttempt,
      valuePositiveInt: 3,
    });
  });
});
