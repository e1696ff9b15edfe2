/**
 * The stack every fault scenario runs on: the relay stack of the integration tests (sandbox EHR + phone simulator
 * + relay on 127.0.0.1 port 0, relay killable, EHR switchable off) with everything the relay and the sandbox log
 * kept for the PHI search, plus what the scenarios need to count: the EHR's current resources and its number of
 * written versions, signed webhook posts, and outbound messages created in bulk.
 */
import type { Communication, Resource } from '@medplum/fhirtypes';
import twilio from 'twilio';
import { pendingOutbound } from '../fixtures/messages';
import type { SandboxStore } from '../../sandbox/fhir';
import { PATIENTS, SPECIAL_PATIENTS } from '../../sandbox/seed/roster';
import { createBackendServicesToken, type TokenSource } from '../../server/adapters/backendServicesToken';
import { sidOf } from '../../server/relay/outboundFields';
import { toE164 } from '../../server/relay/normalisePhone';
import { startRelayStack, threadOf, type RelayStack } from '../integration/relay-support/relayStack';

/** A number no roster patient has; Twilio refuses to create messages to it (21614, not a mobile number). */
export const NOT_MOBILE_NUMBER = '+12015550170';

export interface FaultStack {
  stack: RelayStack;
  /** What the sandbox and relay child processes printed (the in-process relay's lines are in stack.logLines). */
  otherLogs: string[];
  /** A backend-services token for raw FHIR requests. */
  token: TokenSource;
  /** A tag unique to this run, put in bodies so scenarios of one run never count another's messages. */
  runTag: string;
  close(): Promise<void>;
}

type Write = typeof process.stdout.write;

/** Tees console output and stdout/stderr writes of this process into `sink` until the returned function runs. */
function captureOutput(sink: string[]): () => void {
  const streams = [process.stdout, process.stderr];
  const writes = streams.map((stream) => stream.write.bind(stream));
  streams.forEach((stream, i) => {
    const original = writes[i] as (...args: unknown[]) => boolean;
    stream.write = (chunk: unknown, ...rest: unknown[]) => {
      sink.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
      return original(chunk, ...rest);
    };
  });
  const methods = ['log', 'info', 'warn', 'error', 'debug'] as const;
  const consoleMethods = methods.map((method) => console[method].bind(console));
  methods.forEach((method, i) => {
    const original = consoleMethods[i] as (...args: unknown[]) => void;
    console[method] = (...args: unknown[]) => {
      sink.push(args.map((arg) => (typeof arg === 'string' ? arg : JSON.stringify(arg))).join(' '));
      original(...args);
    };
  });
  return () => {
    streams.forEach((stream, i) => {
      stream.write = writes[i] as Write;
    });
    methods.forEach((method, i) => {
      console[method] = consoleMethods[i] as (typeof console)[typeof method];
    });
  };
}

/** Starts the stack; call close() at the end. */
export async function startFaultStack(): Promise<FaultStack> {
  const otherLogs: string[] = [];
  const release = captureOutput(otherLogs);
  try {
    const stack = await startRelayStack({
      relayEnv: { LOG_LEVEL: 'trace' },
      phone: {
        createFailures: [{ to: NOT_MOBILE_NUMBER, errorCode: 21614 }],
        logger: { warn: (details, message) => otherLogs.push(`${JSON.stringify(details)} ${message}`) },
      },
    });
    const { config } = stack;
    const token = createBackendServicesToken({
      fhirBaseUrl: config.fhirBaseUrl,
      clientId: config.clientId,
      key: config.signingKey,
      scope: config.scopes,
    });
    return {
      stack,
      otherLogs,
      token,
      runTag: Date.now().toString(36),
      async close() {
        await stack.close();
        release();
      },
    };
  } catch (err) {
    release();
    throw err;
  }
}

/** Every current (not deleted) resource in the EHR's store, by `Type/id`. */
export function currentResources(store: SandboxStore): Map<string, Resource> {
  const current = new Map<string, Resource>();
  for (const record of store.versions()) {
    if (record.op === 'put')
      current.set(`${record.resource.resourceType}/${record.resource.id ?? ''}`, record.resource);
    else current.delete(`${record.resourceType}/${record.id}`);
  }
  return current;
}

/** How many versions the EHR has ever written: any write, anywhere, moves it. */
export function versionCount(store: SandboxStore): number {
  let count = 0;
  for (const _record of store.versions()) count++;
  return count;
}

/** Current Communications grouped by Twilio SID. */
export function communicationsBySid(store: SandboxStore): Map<string, Communication[]> {
  const bySid = new Map<string, Communication[]>();
  for (const resource of currentResources(store).values()) {
    if (resource.resourceType !== 'Communication') continue;
    const sid = sidOf(resource);
    if (sid) bySid.set(sid, [...(bySid.get(sid) ?? []), resource]);
  }
  return bySid;
}

/** Posts a Twilio webhook form to the relay, signed with the account's auth token unless `signature` is given. */
export async function postWebhook(
  stack: RelayStack,
  path: '/twilio/inbound' | '/twilio/status',
  form: Record<string, string>,
  signature?: string | null,
): Promise<{ status: number; text: string }> {
  const url = `${stack.appUrl}${path}`;
  const header =
    signature === undefined ? twilio.getExpectedTwilioSignature(stack.sandbox.twilio.authToken, url, form) : signature;
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      ...(header === null ? {} : { 'x-twilio-signature': header }),
    },
    body: new URLSearchParams(form),
  });
  return { status: response.status, text: await response.text() };
}

/** Roster patients a text can go to and come from normally (a mobile of their own, SMS allowed). */
export function textablePatients(): { id: string; e164: string }[] {
  const shared = new Set<string>([SPECIAL_PATIENTS.familyParent, SPECIAL_PATIENTS.familyChild]);
  return PATIENTS.filter(
    (p) => p.phone && p.phoneUse === 'mobile' && !shared.has(p.id) && p.id !== SPECIAL_PATIENTS.optedOut,
  ).map((p) => ({ id: p.id, e164: toE164(p.phone, 'US') ?? '' }));
}

/** Creates outbound messages waiting for the relay, as the client writes them, in store transactions of 500. */
export async function createPendingBulk(
  stack: RelayStack,
  messages: readonly { patientId: string; body: string }[],
): Promise<Communication[]> {
  const threads = new Map<string, string>();
  for (const { patientId } of messages) {
    if (!threads.has(patientId)) {
      const thread = await threadOf(stack.fhir, stack.config.twilio.fromNumber, patientId);
      threads.set(patientId, `Communication/${thread.id ?? ''}`);
    }
  }
  const store = stack.sandbox.store;
  const created: Communication[] = [];
  for (let start = 0; start < messages.length; start += 500) {
    const chunk = messages.slice(start, start + 500);
    created.push(
      ...(await store.withTransaction(async () => {
        const out: Communication[] = [];
        for (const { patientId, body } of chunk) {
          out.push(
            await store.createResource<Communication>(
              pendingOutbound({ patientId, thread: threads.get(patientId) ?? '', body }),
            ),
          );
        }
        return out;
      })),
    );
  }
  return created;
}

/** Runs `work` over `items`, at most `limit` at once. */
export async function pool<T>(items: readonly T[], limit: number, work: (item: T, index: number) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const index = next++;
        await work(items[index] as T, index);
      }
    }),
  );
}

/** Resolves after `ms`. */
export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` every 200 ms until it holds or `timeoutMs` passes; returns whether it held. */
export async function waitUntil(check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await sleep(200);
  }
  return check();
}

/** A fresh random array order. */
export function shuffle<T>(items: readonly T[]): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
  }
  return copy;
}
