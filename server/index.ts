/**
 * Runs the relay on its own: reads the configuration (failing with the variables at fault), listens, starts the
 * sweep and reconciliation, and on SIGTERM/SIGINT stops taking requests and lets the send in flight finish.
 */
import { ConfigError, loadRelayConfig, type RelayConfig } from './config';
import { createLogger } from './createLogger';
import { createRelay } from './createRelay';
import { notFoundHandler } from './http/errorHandler';

function configOrExit(): RelayConfig {
  try {
    return loadRelayConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
}

const config = configOrExit();
const logger = createLogger(config.logLevel);
const relay = createRelay(config, { logger });
relay.app.use(notFoundHandler);
const server = relay.app.listen(config.port, config.host, () => {
  logger.info({ host: config.host, port: config.port, publicBaseUrl: config.publicBaseUrl }, 'relay listening');
  relay.start();
});

const shutdown = (signal: string): void => {
  logger.info({ signal }, 'relay stopping');
  server.close();
  void relay.stop().then(() => process.exit(0));
};
process.once('SIGTERM', () => shutdown('SIGTERM'));
process.once('SIGINT', () => shutdown('SIGINT'));
