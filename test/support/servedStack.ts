/**
 * `npm run serve`'s composition (server/createServedApp) in-process on 127.0.0.1 port 0, pointed at the sandbox EHR
 * and phone simulator on another port 0, with the relay configured the way hospital IT would configure it:
 * EHR_ORIGINS = the sandbox origin, PUBLIC_BASE_URL = the served origin.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSandbox, type Sandbox } from '../../sandbox/app';
import { sandboxRelayEnv } from '../../scripts/stack';
import { parseRelayConfig, type RelayConfig } from '../../server/config';
import { createLogger } from '../../server/createLogger';
import { createServedApp, type ServedApp, type ServedAppOptions } from '../../server/createServedApp';

export interface ServedStack {
  sandboxUrl: string;
  appUrl: string;
  sandbox: Sandbox;
  served: ServedApp;
  config: RelayConfig;
  appServer: Server;
  /** The relay's variables as given (to run the doctor with the same configuration). */
  env: Record<string, string>;
  close(): Promise<void>;
}

export interface ServedStackOptions {
  dataDir: string;
  /** Variables that win over the sandbox wiring. */
  relayEnv?: Record<string, string>;
  relayOverrides?: ServedAppOptions['relayOverrides'];
  /** Start the relay's sweep and reconciliation (default false). */
  startRelay?: boolean;
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function close(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

/** Starts the sandbox and the served origin; both on port 0. */
export async function startServedStack(options: ServedStackOptions): Promise<ServedStack> {
  const sandboxServer = createServer();
  const appServer = createServer();
  const sandboxUrl = await listen(sandboxServer);
  const appUrl = await listen(appServer);
  const sandbox = await createSandbox({ publicUrl: sandboxUrl, appUrl, dataDir: options.dataDir });
  sandboxServer.on('request', sandbox.app);

  const env: Record<string, string> = {
    ...sandboxRelayEnv(sandbox, appUrl, options.dataDir),
    LOG_LEVEL: 'silent',
    ...options.relayEnv,
  };
  const config = parseRelayConfig(env);
  const served = createServedApp(config, {
    logger: createLogger(config.logLevel),
    ...(options.relayOverrides ? { relayOverrides: options.relayOverrides } : {}),
  });
  appServer.on('request', served.app);
  if (options.startRelay) served.relay.start();

  return {
    sandboxUrl,
    appUrl,
    sandbox,
    served,
    config,
    appServer,
    env,
    async close() {
      await served.relay.stop();
      if (appServer.listening) await close(appServer);
      await close(sandboxServer);
      await sandbox.close();
    },
  };
}
