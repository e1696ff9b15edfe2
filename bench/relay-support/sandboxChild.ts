/**
 * The sandbox for the relay benchmark, in its own process (its own core): SMART auth, the FHIR server over an
 * in-memory or durable store, and the phone simulator, on 127.0.0.1 port 0. Driven by its parent over IPC
 * (bench/relay-throughput.ts); not a benchmark on its own.
 */
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Communication, Resource } from '@medplum/fhirtypes';
import express from 'express';
import type { JSONWebKeySet } from 'jose';
import { validateChartTextResource } from '../../fhir-profiles/validate';
import { pendingOutbound } from '../../test/fixtures/messages';
import { sandboxClients } from '../../sandbox/auth/clients';
import { createAuthServer } from '../../sandbox/auth/createAuthServer';
import { createFhirRouter, openStore, SandboxRepository } from '../../sandbox/fhir';
import { createPhoneSimulator } from '../../sandbox/phone/createPhoneSimulator';
import { buildSeed, PRACTICE, SEED_EPOCH } from '../../sandbox/seed';

export type ChildRequest =
  | { id: number; op: 'pending'; count: number; patientId: string; thread: string; prefix: string }
  | { id: number; op: 'count'; body: string }
  | { id: number; op: 'pauseCallbacks' }
  | { id: number; op: 'resumeCallbacks' }
  | { id: number; op: 'settled' }
  | { id: number; op: 'close' };

export interface ChildReady {
  ready: true;
  sandboxUrl: string;
  fhirBaseUrl: string;
  apiBaseUrl: string;
  accountSid: string;
  authToken: string;
}

const ACCOUNT_SID = `AC${'b'.repeat(32)}`;
const AUTH_TOKEN = 'bench-auth-token-0123456789abcdef';

async function main(): Promise<void> {
  const appUrl = process.argv[2] ?? '';
  const jwks = JSON.parse(process.argv[3] ?? '{}') as JSONWebKeySet;
  const durable = process.argv[4] === 'durable';
  const dataDir = mkdtempSync(path.join(tmpdir(), 'charttext-bench-'));
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const sandboxUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const fhirBaseUrl = `${sandboxUrl}/fhir`;
  const seed = (): Resource[] => buildSeed(new Date(SEED_EPOCH));
  const store = durable
    ? await openStore({ dataDir: path.join(dataDir, 'fhir'), seed })
    : new SandboxRepository({ seed });
  if (!durable) await store.reset();
  const auth = createAuthServer({
    issuer: `${sandboxUrl}/auth`,
    fhirBaseUrl,
    dataDir: path.join(dataDir, 'auth'),
    clients: sandboxClients({ sandboxOrigin: sandboxUrl, relayKeys: { jwks } }),
  });
  const phone = createPhoneSimulator({
    accountSid: ACCOUNT_SID,
    authToken: AUTH_TOKEN,
    publicBaseUrl: sandboxUrl,
    inboundWebhookUrl: `${appUrl}/twilio/inbound`,
    practiceNumbers: [PRACTICE.smsNumber],
    timing: { sentAfterMs: 200, finalAfterMs: 500 },
  });
  const app = express();
  app.use(
    '/fhir',
    createFhirRouter({
      baseUrl: fhirBaseUrl,
      store,
      verifyAccessToken: auth.verifyAccessToken,
      smartConfiguration: () => auth.smartConfiguration(),
      validate: (resource) => validateChartTextResource(resource, { baseValidated: true }),
    }),
  );
  app.use('/auth', auth.router);
  app.use(phone.router);
  server.on('request', app);

  const reply = (id: number, value: unknown): void => {
    process.send?.({ id, value });
  };
  process.on('message', (message: ChildRequest) => {
    void (async () => {
      switch (message.op) {
        case 'pending': {
          for (let i = 0; i < message.count; i++) {
            await store.createResource<Communication>(
              pendingOutbound({ patientId: message.patientId, thread: message.thread, body: `${message.prefix} ${i}` }),
            );
          }
          return reply(message.id, message.count);
        }
        case 'count':
          return reply(message.id, phone.countMessages({ body: new RegExp(`^${message.body}`) }));
        case 'pauseCallbacks':
          phone.callbacks.pause();
          return reply(message.id, true);
        case 'resumeCallbacks':
          await phone.callbacks.resume();
          return reply(message.id, true);
        case 'settled':
          await phone.settled({ timeoutMs: 120_000 });
          return reply(message.id, true);
        case 'close':
          await phone.close();
          await auth.close();
          await store.close();
          server.closeAllConnections();
          server.close();
          reply(message.id, true);
          process.exit(0);
      }
    })();
  });
  const ready: ChildReady = {
    ready: true,
    sandboxUrl,
    fhirBaseUrl,
    apiBaseUrl: phone.apiBaseUrl,
    accountSid: ACCOUNT_SID,
    authToken: AUTH_TOKEN,
  };
  process.send?.(ready);
}

void main();
