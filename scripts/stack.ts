/**
 * The whole offline stack in one process: the sandbox (EHR + phone simulator) on one origin and ChartText (launch
 * and client pages + relay) on another, both on loopback. `npm start` runs it on ports 3001 and 3000; integration
 * and end-to-end tests run it on port 0 with a temporary data folder.
 */
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import express from 'express';
import type { Logger } from 'pino';
import type { ViteDevServer } from 'vite';
import { parseRelayConfig, type RelayConfig } from '../server/config';
import { createRelay } from '../server/createRelay';
import { notFoundHandler } from '../server/http/errorHandler';
import { securityMiddleware } from '../server/http/securityMiddleware';
import { createWebhookFailureLimit, WEBHOOK_FAILURES_PER_MINUTE } from '../server/http/webhookFailureLimit';
import { templateRoutes } from '../server/http/templateRoutes';
import { TemplateSource } from '../server/templates/templateFile';
import { webPages } from '../server/http/webPages';
import type { AppDeps, RelayApp } from '../server/app';
import { createSandbox, type Sandbox, type SandboxOptions } from '../sandbox/app';
import { RELAY_CLIENT_ID } from '../sandbox/auth/clients';
import { PRACTICE } from '../sandbox/seed';

export interface StackOptions {
  /** Folder for all sandbox data and the relay's development key. */
  dataDir: string;
  host?: string;
  /** 0 = any free port. */
  sandboxPort?: number;
  appPort?: number;
  /** How the pages are served: the Vite build in dist/web, Vite's dev server with hot reload, or not at all. */
  web?: 'dist' | 'vite' | 'none';
  /** Extra relay variables (they win over the sandbox wiring), e.g. from the user's environment. */
  relayEnv?: Record<string, string | undefined>;
  /** Relay parts for tests (fault points, a logger, a clock). */
  relayOverrides?: Partial<Omit<AppDeps, 'config'>>;
  phone?: SandboxOptions['phone'];
  seedNow?: Date;
  /** Start the relay's sweep and reconciliation timers (default true). */
  startRelay?: boolean;
  logger?: Logger;
}

export interface Stack {
  sandboxUrl: string;
  appUrl: string;
  fhirBaseUrl: string;
  sandbox: Sandbox;
  relay: RelayApp;
  relayConfig: RelayConfig;
  close(): Promise<void>;
}

async function listen(server: Server, port: number, host: string): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const hostForUrl = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `http://${hostForUrl}:${address.port}`;
}

async function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

/** A development signing key for the relay's backend-services client, made once per data folder. */
export function relayDevelopmentKey(dataDir: string): string {
  const file = path.join(dataDir, 'relay', 'private-key.pem');
  if (!existsSync(file)) {
    mkdirSync(path.dirname(file), { recursive: true });
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-384' });
    writeFileSync(file, privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600 });
  }
  return file;
}

/**
 * The relay's variables wired to a sandbox: its FHIR base, its backend-services client with the development key in
 * `dataDir`, its phone simulator as Twilio, `appUrl` as the public base, the EHR simulator as the only framing origin.
 * What `npm start`, the served stack of the tests and the relay integration stack share; each adds its own.
 */
export function sandboxRelayEnv(sandbox: Sandbox, appUrl: string, dataDir: string): Record<string, string> {
  return {
    FHIR_BASE_URL: sandbox.fhirBaseUrl,
    RELAY_CLIENT_ID,
    RELAY_PRIVATE_KEY_FILE: relayDevelopmentKey(dataDir),
    TWILIO_ACCOUNT_SID: sandbox.twilio.accountSid,
    TWILIO_AUTH_TOKEN: sandbox.twilio.authToken,
    TWILIO_FROM_NUMBER: sandbox.twilio.fromNumber,
    TWILIO_API_BASE_URL: sandbox.twilio.apiBaseUrl,
    PUBLIC_BASE_URL: appUrl,
    PRACTICE_ORGANIZATION: `Organization/${PRACTICE.organizationId}`,
    PRACTICE_NAME: PRACTICE.name,
    // The EHR simulator's chart frames the app: the only origin allowed to (docs/decisions/081).
    EHR_ORIGINS: new URL(sandbox.fhirBaseUrl).origin,
  };
}

/** Starts the sandbox and ChartText; resolves when both listen. */
export async function startStack(options: StackOptions): Promise<Stack> {
  const host = options.host ?? '127.0.0.1';
  const sandboxServer = createServer();
  const appServer = createServer();
  const sandboxUrl = await listen(sandboxServer, options.sandboxPort ?? 0, host);
  const appUrl = await listen(appServer, options.appPort ?? 0, host);

  const sandbox = await createSandbox({
    publicUrl: sandboxUrl,
    appUrl,
    dataDir: options.dataDir,
    ...(options.phone ? { phone: options.phone } : {}),
    ...(options.seedNow ? { seedNow: options.seedNow } : {}),
  });
  sandboxServer.on('request', sandbox.app);

  const relayConfig = parseRelayConfig({
    ...sandboxRelayEnv(sandbox, appUrl, options.dataDir),
    HOST: host,
    PORT: String(new URL(appUrl).port),
    ...options.relayEnv,
  });
  const relay = createRelay(relayConfig, {
    // As on the served origin: forged webhooks are limited behind the signature check (docs/decisions/081).
    webhookFailures: createWebhookFailureLimit({ maxFailures: WEBHOOK_FAILURES_PER_MINUTE, windowMs: 60_000 }),
    ...options.relayOverrides,
    ...(options.logger ? { logger: options.logger } : {}),
  });

  const app = express();
  app.disable('x-powered-by');
  let vite: ViteDevServer | undefined;
  if (options.web === 'vite') {
    const { createServer: createViteServer } = await import('vite');
    vite = await createViteServer({ server: { middlewareMode: true, hmr: { server: appServer } }, appType: 'mpa' });
    app.use(vite.middlewares);
  } else {
    // Production's headers, CSP and request guards (Vite's dev server needs inline scripts, so not with it).
    app.use(securityMiddleware(relayConfig));
    if (options.web !== 'none') app.use(webPages());
  }
  app.use(templateRoutes(new TemplateSource(relayConfig.templatesFile)));
  app.use(relay.app);
  app.use(notFoundHandler);
  appServer.on('request', app);
  if (options.startRelay !== false) relay.start();

  return {
    sandboxUrl,
    appUrl,
    fhirBaseUrl: sandbox.fhirBaseUrl,
    sandbox,
    relay,
    relayConfig,
    async close() {
      await relay.stop();
      await vite?.close();
      await closeServer(appServer);
      await closeServer(sandboxServer);
      await sandbox.close();
    },
  };
}
