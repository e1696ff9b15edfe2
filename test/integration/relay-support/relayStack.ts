/**
 * The relay against the real sandbox over real HTTP, for integration tests and benchmarks: the sandbox (FHIR server,
 * SMART auth with backend services, phone simulator) on one 127.0.0.1 port, the relay on another, everything on
 * port 0 with a temporary data folder. The relay can be killed (its port drops every connection, its work in flight
 * never resumes) and restarted on the same port, and the EHR can be taken down and brought back.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Communication, Patient } from '@medplum/fhirtypes';
import { Writable } from 'node:stream';
import { threadKey } from '../../../fhir-profiles/threadKey';
import { IDENTIFIER_SYSTEMS } from '../../../fhir-profiles/vocabulary';
import { pendingOutbound } from '../../fixtures/messages';
import { createSandbox, type Sandbox } from '../../../sandbox/app';
import type { PhoneSimulatorOptions } from '../../../sandbox/phone/createPhoneSimulator';
import { sandboxRelayEnv } from '../../../scripts/stack';
import type { AppDeps, RelayApp } from '../../../server/app';
import { parseRelayConfig, type RelayConfig } from '../../../server/config';
import { createLogger } from '../../../server/createLogger';
import { createRelay } from '../../../server/createRelay';
import type { FaultPoints } from '../../../server/relay/context';
import type { FhirStore } from '../../../server/relay/fhirStore';
import { identifierQuery, threadHeader } from '../../../server/relay/fileInbound';
import { STACK_CLAIM_TIMEOUT_MS, withStackTimeouts } from './stackTimeouts';

export { STACK_CLAIM_TIMEOUT_MS } from './stackTimeouts';

export interface RelayStack {
  sandbox: Sandbox;
  sandboxUrl: string;
  appUrl: string;
  config: RelayConfig;
  /** The relay's variables (what its environment would hold), for a relay in another process. */
  variables: Record<string, string>;
  /** The running relay (the newest after a restart). */
  relay: RelayApp;
  /** The EHR as the relay sees it (backend-services token over HTTP): assertions read what the EHR holds. */
  fhir: FhirStore;
  /** Every JSON line any relay of this stack logged. */
  logLines: string[];
  /** Kills the relay: its port drops every connection and its work in flight never continues. */
  kill(): void;
  /** Starts a new relay process on the same port (after kill), with its own fault points. */
  restart(options?: { faultPoints?: FaultPoints }): RelayApp;
  /** A second relay against the same EHR and Twilio (not serving HTTP). */
  another(options?: { faultPoints?: FaultPoints }): RelayApp;
  /** While down, the EHR (FHIR and its token endpoint) drops every connection. */
  setEhrDown(down: boolean): void;
  close(): Promise<void>;
}

export interface RelayStackOptions {
  phone?: Partial<PhoneSimulatorOptions>;
  relayEnv?: Record<string, string>;
  faultPoints?: FaultPoints;
  webhookRetry?: AppDeps['webhookRetry'];
  /** Start sweep and reconciliation timers (default false: tests drive the relay). */
  startTimers?: boolean;
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

/** Starts the sandbox and a relay; call close() in afterAll. */
export async function startRelayStack(options: RelayStackOptions = {}): Promise<RelayStack> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'charttext-relay-it-'));
  const sandboxServer = createServer();
  const appServer = createServer();
  const sandboxUrl = await listen(sandboxServer);
  const appUrl = await listen(appServer);
  const sandbox = await createSandbox({
    publicUrl: sandboxUrl,
    appUrl,
    dataDir,
    phone: { timing: { sentAfterMs: 30, finalAfterMs: 80 }, ...options.phone },
  });
  let ehrDown = false;
  sandboxServer.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (ehrDown && (req.url?.startsWith('/fhir') || req.url?.startsWith('/auth'))) {
      req.socket.destroy();
      return;
    }
    sandbox.app(req, res);
  });

  const variables: Record<string, string> = {
    ...sandboxRelayEnv(sandbox, appUrl, dataDir),
    CLAIM_TIMEOUT_SECONDS: String(STACK_CLAIM_TIMEOUT_MS / 1000),
    // At most half the claim timeout (server/config.ts); the retry backoff scales down with it.
    SEND_DEADLINE_SECONDS: String(STACK_CLAIM_TIMEOUT_MS / 2000),
    STUCK_AFTER_SECONDS: '1',
    RECONCILE_LOOKBACK_HOURS: '1',
    LOG_LEVEL: 'debug',
    ...options.relayEnv,
  };
  const config = withStackTimeouts(parseRelayConfig(variables));
  const logLines: string[] = [];
  const logger = createLogger(
    config.logLevel,
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        logLines.push(
          ...chunk
            .toString('utf8')
            .split('\n')
            .filter((line) => line.length > 0),
        );
        done();
      },
    }),
  );
  const build = (faultPoints?: FaultPoints): RelayApp =>
    createRelay(config, {
      logger,
      webhookBudgetMs: 5_000,
      webhookRetry: options.webhookRetry ?? {
        baseDelayMs: 200,
        maxDelayMs: 1_000,
        maxAgeMs: 600_000,
        maxItems: 10_000,
      },
      ...(faultPoints ? { faultPoints } : {}),
    });

  let relay: RelayApp | undefined = build(options.faultPoints);
  const relays: RelayApp[] = [relay];
  appServer.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (!relay) {
      req.socket.destroy();
      return;
    }
    relay.app(req, res);
  });
  if (options.startTimers) relay.start();

  const stack: RelayStack = {
    sandbox,
    sandboxUrl,
    appUrl,
    config,
    variables,
    get relay() {
      if (!relay) throw new Error('the relay is dead; restart() it');
      return relay;
    },
    get fhir() {
      return (relay ?? relays[0])?.context.fhir as FhirStore;
    },
    logLines,
    kill() {
      relay?.intake.stop();
      relay = undefined;
      appServer.closeAllConnections();
    },
    restart(restartOptions = {}) {
      relay = build(restartOptions.faultPoints);
      relays.push(relay);
      return relay;
    },
    another(anotherOptions = {}) {
      const extra = build(anotherOptions.faultPoints);
      relays.push(extra);
      return extra;
    },
    setEhrDown(down) {
      ehrDown = down;
      if (down) sandboxServer.closeAllConnections();
    },
    async close() {
      for (const each of relays) each.intake.stop();
      await Promise.all(relays.map((each) => Promise.race([each.stop(), new Promise((r) => setTimeout(r, 2_000))])));
      await closeServer(appServer);
      await closeServer(sandboxServer);
      await sandbox.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
  return stack;
}

/** The thread header of `patientId` on the practice number (created when missing), as the client would find it. */
export async function threadOf(fhir: FhirStore, practiceNumber: string, patientId: string): Promise<Communication> {
  const subject = `Patient/${patientId}`;
  const { resource } = await fhir.create(threadHeader(subject, subject, practiceNumber), {
    ifNoneExist: identifierQuery(IDENTIFIER_SYSTEMS.thread, threadKey(subject, practiceNumber)),
  });
  return resource;
}

/** Creates an outbound message waiting for the relay, as the client writes it. */
export async function createPending(stack: RelayStack, patientId: string, body: string): Promise<Communication> {
  const thread = await threadOf(stack.fhir, stack.config.twilio.fromNumber, patientId);
  const { resource } = await stack.fhir.create<Communication>(
    pendingOutbound({ patientId, thread: `Communication/${thread.id ?? ''}`, body }),
  );
  return resource;
}

/** Registers a patient with one phone straight in the EHR's store (the relay may not create patients). */
export async function createPatient(
  stack: RelayStack,
  phone: string,
  use: 'mobile' | 'home' = 'mobile',
): Promise<Patient> {
  return stack.sandbox.store.createResource<Patient>({
    resourceType: 'Patient',
    name: [{ given: ['Test'], family: 'Patient' }],
    telecom: [{ system: 'phone', use, value: phone }],
  });
}

/** Polls `read` until `done` holds (bounded), returning the last value. */
export async function eventually<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (!done(value) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    value = await read();
  }
  return value;
}
