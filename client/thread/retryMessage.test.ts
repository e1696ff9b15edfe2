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
    expect(next.identifier).toEqual([{ system: IDENTIFIER_SYSTEMS.clientMessageId, value: 'uuid-1' }]);
    expect(next.extension).toEqual([
      { url: EXTENSIONS.segmentCount, valuePositiveInt: 1 },
      { url: EXTENSIONS.sendAttempt, valuePositiveInt: 2 },
    ]);
  });

  test('a third attempt counts on from the extension', () => {
    expect(retryVersion(retryVersion(failed)).extension?.find((e) => e.url === EXTENSIONS.sendAttempt)).toEqual({
      url: EXTENSIONS.sendAttempt,
      valuePositiveInt: 3,
    });
  });
});
