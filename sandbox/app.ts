/**
 * The offline sandbox as one Express app: the EHR (FHIR R4 server, SMART authorization server, EHR simulator) and
 * the Twilio stand-in (phone simulator). It never listens; `sandbox/index.ts`, `scripts/start.ts` and tests do.
 * Product code (client, launch, server) never imports this.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import express, { type Express } from 'express';
import type { JSONWebKeySet } from 'jose';
import { loadChartTextDefinitions, validateChartTextResource } from '../fhir-profiles/validate';
import { sandboxClients } from './auth/clients';
import { createAuthServer, type AuthServer } from './auth/createAuthServer';
import { createEhrSimulator } from './ehr/createEhrSimulator';
import { createFhirRouter, openStore, type SandboxStore } from './fhir';
import { createPhoneSimulator, type PhoneSimulator, type PhoneSimulatorOptions } from './phone/createPhoneSimulator';
import { buildSeed, PRACTICE } from './seed';

export interface SandboxOptions {
  /** The sandbox origin as a browser reaches it, e.g. http://127.0.0.1:3001. */
  publicUrl: string;
  /** ChartText's origin: launch page, redirect URI, relay webhooks and JWKS. */
  appUrl: string;
  /** Folder for the FHIR store, the authorization server's keys and the phone simulator's log. */
  dataDir: string;
  /** The relay's public keys, when not fetched from `<appUrl>/.well-known/jwks.json` (tests). */
  relayKeys?: { jwks: JSONWebKeySet } | { jwksUri: string };
  /** Phone simulator settings for tests (callback timing, failure rules). */
  phone?: Partial<PhoneSimulatorOptions>;
  /** The time the seed's history is written relative to (default: when the folder is first seeded). */
  seedNow?: Date;
}

export interface Sandbox {
  app: Express;
  fhirBaseUrl: string;
  store: SandboxStore;
  auth: AuthServer;
  phone: PhoneSimulator;
  /** The simulated Twilio account the relay must be configured with. */
  twilio: TwilioAccount;
  close(): Promise<void>;
}

export interface TwilioAccount {
  accountSid: string;
  authToken: string;
  /** Where the relay's twilio SDK must send what it would send to https://api.twilio.com. */
  apiBaseUrl: string;
  fromNumber: string;
}

/** The simulated Twilio account: made once per data folder, like a real account's credentials. */
export function loadOrCreateTwilioAccount(dataDir: string): { accountSid: string; authToken: string } {
  const file = path.join(dataDir, 'twilio-account.json');
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as { accountSid: string; authToken: string };
  mkdirSync(dataDir, { recursive: true });
  const account = { accountSid: `AC${randomBytes(16).toString('hex')}`, authToken: randomBytes(16).toString('hex') };
  writeFileSync(file, JSON.stringify(account, null, 2), { mode: 0o600 });
  return account;
}

/** Builds the sandbox on `dataDir`, seeding it on first use. */
export async function createSandbox(options: SandboxOptions): Promise<Sandbox> {
  const publicUrl = options.publicUrl.replace(/\/+$/, '');
  const appUrl = options.appUrl.replace(/\/+$/, '');
  const fhirBaseUrl = `${publicUrl}/fhir`;
  const seedNow = options.seedNow;
  // Fails fast, naming the command to run, when the profiles are not built.
  loadChartTextDefinitions();

  const store = await openStore({
    dataDir: path.join(options.dataDir, 'fhir'),
    seed: () => buildSeed(seedNow ?? new Date()),
  });
  const auth = createAuthServer({
    issuer: `${publicUrl}/auth`,
    fhirBaseUrl,
    dataDir: path.join(options.dataDir, 'auth'),
    clients: sandboxClients({
      sandboxOrigin: publicUrl,
      appRedirectUris: [`${appUrl}/client/`],
      relayKeys: options.relayKeys ?? { jwksUri: `${appUrl}/.well-known/jwks.json` },
    }),
  });
  const account = loadOrCreateTwilioAccount(options.dataDir);
  const phone = createPhoneSimulator({
    ...account,
    publicBaseUrl: publicUrl,
    dataDir: path.join(options.dataDir, 'phone'),
    inboundWebhookUrl: `${appUrl}/twilio/inbound`,
    practiceNumbers: [PRACTICE.smsNumber],
    ...options.phone,
  });

  const app = express();
  app.disable('x-powered-by');
  app.use(
    '/fhir',
    createFhirRouter({
      baseUrl: fhirBaseUrl,
      store,
      verifyAccessToken: auth.verifyAccessToken,
      smartConfiguration: () => auth.smartConfiguration(),
      // Resources that claim no profile are checked against the one their ChartText codings imply; the router has
      // already run the base validation (sandbox/fhir/validateWrite.ts), so the hook adds only the profile checks.
      validate: (resource) => validateChartTextResource(resource, { inferProfile: true, baseValidated: true }),
      corsOrigins: [appUrl, publicUrl],
    }),
  );
  app.use('/auth', auth.router);
  app.use(phone.router);
  app.use(createEhrSimulator({ auth, fhirBaseUrl, sandboxOrigin: publicUrl, appLaunchUrl: `${appUrl}/launch/` }));

  return {
    app,
    fhirBaseUrl,
    store,
    auth,
    phone,
    twilio: { ...account, apiBaseUrl: phone.apiBaseUrl, fromNumber: PRACTICE.smsNumber },
    async close() {
      await phone.close();
      await auth.close();
      await store.close();
    },
  };
}
