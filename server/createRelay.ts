/**
 * The relay wired from its configuration: backend-services token → FHIR REST store, twilio SDK → SMS gateway,
 * then `createApp`. `server/index.ts` and `scripts/start.ts` use this; tests call `createApp` with their own parts.
 */
import type { Logger } from 'pino';
import { type AppDeps, createApp, type RelayApp } from './app';
import { createBackendServicesToken } from './adapters/backendServicesToken';
import { createFhirRestStore } from './adapters/fhirRestStore';
import { createTwilioGateway } from './adapters/twilioGateway';
import type { RelayConfig } from './config';
import { createLogger } from './createLogger';

/** Everything `createApp` needs, built from `config`; `overrides` replaces parts (a logger, fault points). */
export function createRelay(
  config: RelayConfig,
  overrides: Partial<Omit<AppDeps, 'config'>> & { fetch?: typeof fetch } = {},
): RelayApp {
  const logger: Logger = overrides.logger ?? createLogger(config.logLevel);
  const token = createBackendServicesToken({
    fhirBaseUrl: config.fhirBaseUrl,
    clientId: config.clientId,
    key: config.signingKey,
    scope: config.scopes,
    ...(overrides.fetch ? { fetch: overrides.fetch } : {}),
  });
  const fhir =
    overrides.fhir ??
    createFhirRestStore({
      baseUrl: config.fhirBaseUrl,
      token,
      batchUpdates: config.batchUpdates,
      ...(overrides.fetch ? { fetch: overrides.fetch } : {}),
    });
  const sms =
    overrides.sms ??
    createTwilioGateway({
      accountSid: config.twilio.accountSid,
      authToken: config.twilio.authToken,
      ...(config.twilio.apiKeySid ? { apiKeySid: config.twilio.apiKeySid } : {}),
      ...(config.twilio.apiKeySecret ? { apiKeySecret: config.twilio.apiKeySecret } : {}),
      fromNumber: config.twilio.fromNumber,
      ...(config.twilio.messagingServiceSid ? { messagingServiceSid: config.twilio.messagingServiceSid } : {}),
      ...(config.twilio.apiBaseUrl ? { apiBaseUrl: config.twilio.apiBaseUrl } : {}),
      timeoutMs: config.twilioTimeoutMs,
    });
  const { fetch: _fetch, ...rest } = overrides;
  return createApp({ ...rest, config, fhir, sms, token: overrides.token ?? token, logger });
}
