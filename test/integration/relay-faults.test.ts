/**
 * Exactly once under failure, over real HTTP: a relay killed mid-send and restarted, and two relays draining the same
 * outbox (issue 4, "Done when"). Fault points are injected through createApp's `faultPoints` dependency.
 */
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import type { Bundle, Communication } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { pendingOutbound } from '../fixtures/messages';
import type { FaultPoint } from '../../server/relay/context';
import { sidOf, twilioStatusOf } from '../../server/relay/outboundFields';
import {
  createPending,
  eventually,
  STACK_CLAIM_TIMEOUT_MS,
  startRelayStack,
  threadOf,
  type RelayStack,
} from './relay-support/relayStack';

let stack: RelayStack;

beforeAll(async () => {
  stack = await startRelayStack();
}, 60_000);

afterAll(async () => {
  await stack?.close();
});

/** Fault points that "kill" the process at `point` for message `id`: the pipeline never goes on from there. */
const dieAt =
  (point: FaultPoint, id: () => string | undefined) =>
  (reached: FaultPoint, communicationId: string): Promise<void> | undefined =>
    reached === point && communicationId === id() ? new Promise<void>(() => {}) : undefined;

async function read(id: string): Promise<Communication> {
  return stack.fhir.read('Communication', id);
}

describe('a relay killed in the middle of a send', () => {
  test.each<[FaultPoint, string]>([
    ['after-claim', 'between the claim and the Twilio call'],
    ['after-twilio-accept', 'between Twilio’s acceptance and the EHR update'],
  ])(
    'when killed %s (%s), then after a restart exactly one SMS exists and the EHR has its SID and final status',
    async (point) => {
      const body = `Exactly once (${point})`;
      const pending = await createPending(stack, 'p0014', body);
      const dying = stack.restart({ faultPoints: dieAt(point, () => pending.id) });
      void dying.drain.request();
      await eventually(
        () => read(pending.id ?? ''),
        (c) =>
          c.status === 'in-progress' && (point === 'after-claim' || stack.sandbox.phone.countMessages({ body }) === 1),
      );
      stack.kill();
      await new Promise((resolve) => setTimeout(resolve, STACK_CLAIM_TIMEOUT_MS + 100));
      const restarted = stack.restart();
      await restarted.reconciler.run();
      await restarted.drain.request();
      const done = await eventually(
        () => read(pending.id ?? ''),
        (c) => c.status === 'completed',
        10_000,
      );
      expect(stack.sandbox.phone.countMessages({ body })).toBe(1);
      expect(sidOf(done)).toBe(stack.sandbox.phone.messages({ body })[0]?.sid);
      expect(twilioStatusOf(done)).toBe('delivered');
      expect(done.sent).toBeDefined();
    },
  );
});

describe('a relay process SIGKILLed at each step of the send pipeline', () => {
  const relayChild = fileURLToPath(new URL('./relay-support/relayChild.ts', import.meta.url));

  test.each<FaultPoint>(['after-claim', 'before-twilio', 'after-twilio-accept', 'after-record'])(
    'when the process is killed at %s, then after a restart exactly one SMS exists and the EHR has it delivered',
    async (point) => {
      const body = `SIGKILL at ${point}`;
      const pending = await createPending(stack, 'p0014', body);
      const child = fork(relayChild, [JSON.stringify(stack.variables), point, pending.id ?? ''], {
        execArgv: ['--import', 'tsx'],
        stdio: 'ignore',
      });
      const [, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
      expect(signal).toBe('SIGKILL');
      await new Promise((resolve) => setTimeout(resolve, STACK_CLAIM_TIMEOUT_MS + 100));
      const restarted = stack.restart();
      await restarted.reconciler.run();
      await restarted.drain.request();
      const done = await eventually(
        () => read(pending.id ?? ''),
        (c) => c.status === 'completed',
        10_000,
      );
      expect(stack.sandbox.phone.countMessages({ body })).toBe(1);
      expect(sidOf(done)).toBe(stack.sandbox.phone.messages({ body })[0]?.sid);
      expect(twilioStatusOf(done)).toBe('delivered');
    },
    30_000,
  );
});

describe('two relays sweeping the same outbox', () => {
  test('when two relays drain 500 pending messages at once, then each is sent exactly once', async () => {
    const thread = await threadOf(stack.fhir, stack.config.twilio.fromNumber, 'p0016');
    const bodies = Array.from({ length: 500 }, (_, i) => `Batch message ${String(i).padStart(3, '0')}`);
    for (let start = 0; start < bodies.length; start += 100) {
      const batch: Bundle = {
        resourceType: 'Bundle',
        type: 'batch',
        entry: bodies.slice(start, start + 100).map((body) => ({
          request: { method: 'POST', url: 'Communication' },
          resource: pendingOutbound({ patientId: 'p0016', thread: `Communication/${thread.id ?? ''}`, body }),
        })),
      };
      const response = await stack.fhir.bundle(batch);
      expect(response.entry?.every((entry) => entry.response?.status?.startsWith('201'))).toBe(true);
    }
    const first = stack.restart();
    const second = stack.another();
    const [a, b] = await Promise.all([first.drain.request(), second.drain.request()]);
    expect(a.outcomes.error + b.outcomes.error).toBe(0);
    const unresolved = a.outcomes.unresolved + b.outcomes.unresolved;
    expect(a.outcomes.sent + b.outcomes.sent + unresolved).toBe(500);
    if (unresolved > 0) {
      // On a loaded machine a send can pass the stack's compressed deadline (stackTimeouts.ts) with Twilio's answer
      // unknown: such a claim is reconciliation's, as after a crash. Exactly once must hold after it too.
      await new Promise((resolve) => setTimeout(resolve, STACK_CLAIM_TIMEOUT_MS + 100));
      await first.reconciler.run();
      await first.drain.request();
    }
    const sent = stack.sandbox.phone.messages({ body: /^Batch message / }).map((message) => message.body);
    expect(sent).toHaveLength(500);
    expect(new Set(sent).size).toBe(500);
  }, 120_000);
});
