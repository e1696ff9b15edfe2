import type { Communication } from '@medplum/fhirtypes';
import { describe, expect, test } from 'vitest';
import { CONCEPTS } from '../../fhir-profiles/vocabulary';
import { outboundMessage, twilioErrorReason, twilioOutcome } from '../../test/fixtures/messages';
import { deliveryOf } from './deliveryState';

const message = (fields: Partial<Omit<Communication, 'sender' | 'sent' | 'id'>>): Communication =>
  outboundMessage({ id: 'x', ...fields });

describe('deliveryOf', () => {
  test.each([
    ['preparation', message({ status: 'preparation', extension: [] }), 'pending', 'Waiting to send', undefined, false],
    ['claimed', message({ status: 'in-progress', extension: [] }), 'sending', 'Sending…', undefined, false],
    [
      'queued',
      message({ status: 'in-progress', extension: twilioOutcome('queued') }),
      'sending',
      'Sending…',
      undefined,
      false,
    ],
    ['sent', message({ status: 'in-progress', extension: twilioOutcome('sent') }), 'sent', 'Sent', undefined, false],
    [
      'delivered',
      message({ status: 'completed', extension: twilioOutcome('delivered') }),
      'delivered',
      'Delivered',
      undefined,
      false,
    ],
    ['read', message({ status: 'completed', extension: twilioOutcome('read') }), 'delivered', 'Read', undefined, false],
    [
      'undelivered 30003',
      message({ status: 'stopped', extension: twilioOutcome('undelivered', { code: 30003, message: 'Unreachable' }) }),
      'undelivered',
      'Not delivered',
      'The patient’s phone is off or out of reach.',
      true,
    ],
    [
      'failed 30006 (landline)',
      message({ status: 'stopped', extension: twilioOutcome('failed', { code: 30006, message: 'Landline' }) }),
      'failed',
      'Not sent',
      'The number is a landline or cannot receive texts.',
      true,
    ],
    [
      'failed with the code only in statusReason',
      message({
        status: 'stopped',
        extension: twilioOutcome('failed'),
        statusReason: twilioErrorReason(30007, 'Filtered'),
      }),
      'failed',
      'Not sent',
      'The carrier filtered the message as possible spam.',
      true,
    ],
    [
      'stopped by the relay: no SMS number',
      message({ status: 'stopped', extension: [], statusReason: CONCEPTS.stopReason('no-sms-number') }),
      'failed',
      'Not sent',
      'The patient has no mobile number on file.',
      true,
    ],
    [
      'stopped by the relay: opted out',
      message({ status: 'stopped', extension: [], statusReason: CONCEPTS.stopReason('consent-denied') }),
      'failed',
      'Not sent',
      'The patient has opted out of texts.',
      false,
    ],
    [
      'Twilio 21610 (STOP)',
      message({ status: 'stopped', extension: twilioOutcome('failed', { code: 21610, message: 'Unsubscribed' }) }),
      'failed',
      'Not sent',
      'The patient has opted out of texts (replied STOP).',
      false,
    ],
    [
      'an unknown code keeps the server text',
      message({ status: 'stopped', extension: [], statusReason: { text: 'Carrier said no' } }),
      'failed',
      'Not sent',
      'Carrier said no',
      true,
    ],
  ] as const)('%s → %s', (_label, resource, kind, label, reason, canRetry) => {
    const delivery = deliveryOf(resource);
    expect(delivery).toMatchObject({ kind, label, canRetry });
    expect(delivery.reason).toBe(reason);
  });
});
