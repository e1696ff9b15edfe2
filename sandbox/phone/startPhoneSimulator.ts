/**
 * Runs the phone simulator on its own HTTP server, for integration tests and benchmarks that need Twilio without the
 * rest of the sandbox: listens on loopback (port 0 by default), then builds the simulator with the real address.
 */
import type { AddressInfo } from 'node:net';
import express from 'express';
import twilio from 'twilio';
import { createPhoneSimulator, type PhoneSimulator, type PhoneSimulatorOptions } from './createPhoneSimulator';
import { createRewritingHttpClient } from './twilioHostRewrite';

export interface RunningPhoneSimulator {
  simulator: PhoneSimulator;
  /** e.g. `http://127.0.0.1:53211`; the page is at `${origin}/phone`. */
  origin: string;
  /** A twilio SDK client for the simulated account, pointed at this simulator. */
  twilioClient(options?: { username?: string; password?: string }): twilio.Twilio;
  close(): Promise<void>;
}

/** Starts a phone simulator on `127.0.0.1:port` (0 = any free port). */
export async function startPhoneSimulator(
  options: Omit<PhoneSimulatorOptions, 'publicBaseUrl'> & { port?: number },
): Promise<RunningPhoneSimulator> {
  const app = express();
  // The simulator needs its own address for the URLs it hands out, so it is mounted once the server listens.
  const mounted: { router?: express.Router } = {};
  app.use((req, res, next) => (mounted.router === undefined ? res.status(503).end() : mounted.router(req, res, next)));
  const server = app.listen(options.port ?? 0, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  const { port: _port, ...simulatorOptions } = options;
  const simulator = createPhoneSimulator({ ...simulatorOptions, publicBaseUrl: origin });
  mounted.router = simulator.router;

  return {
    simulator,
    origin,
    twilioClient: ({ username, password } = {}) =>
      twilio(username ?? options.accountSid, password ?? options.authToken, {
        accountSid: options.accountSid,
        httpClient: createRewritingHttpClient(simulator.apiBaseUrl),
      }),
    async close() {
      await simulator.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
