/**
 * `npm run serve`: ChartText in production on one origin — the launch and client pages built by `npm run build`, and
 * the relay. Reads the configuration once (a missing or bad variable stops start-up naming it, exit 78), listens on
 * HOST:PORT, starts the relay's background work, and on SIGTERM/SIGINT shuts down gracefully (server/gracefulShutdown).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConfigError, loadRelayConfig, type RelayConfig } from './config';
import { createLogger } from './createLogger';
import { createServedApp } from './createServedApp';
import { shutDownGracefully } from './gracefulShutdown';

function configOrExit(): RelayConfig {
  try {
    return loadRelayConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`${err.message}\nSee docs/configuration.md.`);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
}

function servedOrExit(config: RelayConfig): ReturnType<typeof createServedApp> {
  try {
    return createServedApp(config, { logger });
  } catch (err) {
    // webPages names the missing build and the command that makes it.
    console.error((err as Error).message);
    process.exit(1);
  }
}

const config = configOrExit();
const logger = createLogger(config.logLevel);
const served = servedOrExit(config);
const server = createServer(served.app);
// Slow-client limits: headers within 20 s, a whole request within 60 s; idle keep-alive sockets closed after 5 s.
server.headersTimeout = 20_000;
server.requestTimeout = 60_000;
server.keepAliveTimeout = 5_000;

server.listen(config.port, config.host, () => {
  const { port } = server.address() as AddressInfo;
  logger.info({ host: config.host, port, publicBaseUrl: config.publicBaseUrl }, 'ChartText serving');
  served.relay.start();
});

let stopping = false;
const shutdown = (signal: string): void => {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'ChartText stopping');
  void shutDownGracefully(server, served.relay, served.gate).then((outcome) => {
    logger.info({ outcome }, 'ChartText stopped');
    process.exit(0);
  });
};
process.once('SIGTERM', () => shutdown('SIGTERM'));
process.once('SIGINT', () => shutdown('SIGINT'));
