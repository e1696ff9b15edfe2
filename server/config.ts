/**
 * The relay's configuration: read once from the environment and validated with zod; a bad or missing value stops
 * start-up with one error naming every variable at fault and what it expects. Secrets have no defaults.
 * Every variable is documented in .env.example (docs/configuration.md is kept in step with this schema).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { CountryCode } from 'libphonenumber-js';
import { getCountries } from 'libphonenumber-js';
import { z } from 'zod';
import { loadSigningKey, type RelaySigningKey } from './adapters/signingKey';
import { parseOrigins } from './parseOrigins';
import { loadTemplateFile, STARTER_TEMPLATES_FILE } from './templates/templateFile';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);
const E164 = /^\+[1-9]\d{6,14}$/;

const absoluteUrl = (what: string): z.ZodType<string> =>
  z
    .string({ message: `is required: ${what}` })
    .url({ message: `must be an absolute URL (${what})` })
    .transform((value) => value.replace(/\/+$/, ''));

const seconds = (fallback: number, min: number, max: number): z.ZodType<number> =>
  z.coerce
    .number({ message: 'must be a number of seconds' })
    .int({ message: 'must be a whole number' })
    .min(min, { message: `must be at least ${min}` })
    .max(max, { message: `must be at most ${max}` })
    .default(fallback);

/** A list of web origins for the Content-Security-Policy (server/parseOrigins.ts); empty when unset. */
const originList = z
  .string()
  .optional()
  .transform((value, ctx): string[] => {
    const parsed = parseOrigins(value ?? '');
    if (parsed.ok) return parsed.origins;
    ctx.addIssue({ code: 'custom', message: parsed.problem });
    return z.NEVER;
  });

const optionalText = z
  .string()
  .optional()
  .transform((value) => (value === undefined || value.trim() === '' ? undefined : value.trim()));

/** Scopes the relay asks for, each with its reason (SMART v2 syntax). */
export const RELAY_SCOPES: Readonly<Record<string, string>> = {
  'system/Communication.crus':
    'find pending outbound messages, claim and update them; file inbound messages and thread headers',
  'system/Patient.rus':
    'read the recipient’s number; match an inbound sender; flag a number Twilio says cannot take SMS',
  'system/RelatedPerson.rus': 'the same for messages to and from a related person (a parent)',
  'system/Consent.crs': 'check SMS consent before each send; record STOP/START',
  'system/Task.crus': 'open or reopen the needs-response Task of a thread; create triage Tasks for unknown numbers',
  'system/Binary.c': 'store MMS pictures',
};

/** Asked for only with FHIR_SUBSCRIPTION=auto: create the relay's rest-hook Subscription. */
export const SUBSCRIPTION_SCOPE = 'system/Subscription.cr';

const variables = z.object({
  FHIR_BASE_URL: absoluteUrl('the EHR FHIR R4 base, e.g. https://ehr.example.org/fhir/R4'),
  RELAY_CLIENT_ID: z.string({ message: 'is required: the backend-services client id registered with the EHR' }).min(1),
  RELAY_PRIVATE_KEY: optionalText,
  RELAY_PRIVATE_KEY_FILE: optionalText,
  RELAY_KEY_ID: optionalText,
  RELAY_SIGNING_ALG: z.enum(['RS384', 'ES384'], { message: 'must be RS384 or ES384' }).optional(),
  RELAY_SCOPES: optionalText,
  TWILIO_ACCOUNT_SID: z
    .string({ message: 'is required: your Twilio Account SID (AC followed by 32 hex digits)' })
    .regex(/^AC[0-9a-f]{32}$/, { message: 'must be AC followed by 32 lowercase hex digits' }),
  TWILIO_AUTH_TOKEN: z
    .string({ message: 'is required: the account auth token, which Twilio signs webhooks with' })
    .min(16, { message: 'looks too short for a Twilio auth token' }),
  TWILIO_API_KEY_SID: z
    .string()
    .regex(/^SK[0-9a-f]{32}$/, { message: 'must be SK followed by 32 lowercase hex digits' })
    .optional(),
  TWILIO_API_KEY_SECRET: optionalText,
  TWILIO_FROM_NUMBER: z
    .string({ message: 'is required: the practice SMS number in E.164, e.g. +12015550100' })
    .regex(E164, { message: 'must be an E.164 number such as +12015550100' }),
  TWILIO_MESSAGING_SERVICE_SID: z
    .string()
    .regex(/^MG[0-9a-f]{32}$/, { message: 'must be MG followed by 32 lowercase hex digits' })
    .optional(),
  TWILIO_API_BASE_URL: absoluteUrl(
    'sandbox only: where api.twilio.com requests go, e.g. http://127.0.0.1:3001/twilio',
  ).optional(),
  PUBLIC_BASE_URL: absoluteUrl('the URL Twilio reaches the relay at, e.g. https://charttext.example.org'),
  PRACTICE_ORGANIZATION: z
    .string({ message: 'is required: the practice as a FHIR reference, e.g. Organization/123' })
    .regex(/^Organization\/[A-Za-z0-9\-.]{1,64}$/, { message: 'must be a reference like Organization/123' }),
  PRACTICE_NAME: optionalText,
  PRACTICE_HELP_PHONE: optionalText,
  KEYWORD_REPLIES: z.enum(['relay', 'twilio'], { message: 'must be relay or twilio' }).default('twilio'),
  PHONE_REGION: z
    .string()
    .default('US')
    .refine((value) => (getCountries() as string[]).includes(value), {
      message: 'must be an ISO 3166 country code such as US',
    }),
  SWEEP_INTERVAL_SECONDS: seconds(30, 1, 3600),
  RECONCILE_INTERVAL_SECONDS: seconds(300, 5, 86_400),
  RECONCILE_LOOKBACK_HOURS: z.coerce
    .number({ message: 'must be a number of hours' })
    .positive()
    .max(24 * 30)
    .default(24),
  CLAIM_TIMEOUT_SECONDS: seconds(120, 1, 86_400),
  SEND_DEADLINE_SECONDS: z.coerce
    .number({ message: 'must be a number of seconds' })
    .min(0.1, { message: 'must be at least 0.1' })
    .max(3_600, { message: 'must be at most 3600' })
    .default(30),
  STUCK_AFTER_SECONDS: seconds(900, 1, 7 * 86_400),
  SEND_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(16),
  NUDGE_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).max(100_000).default(120),
  FHIR_SUBSCRIPTION: z.enum(['auto', 'off'], { message: 'must be auto or off' }).default('off'),
  FHIR_BATCH_UPDATES: z.enum(['auto', 'off'], { message: 'must be auto or off' }).default('auto'),
  EHR_ORIGINS: originList,
  FHIR_ORIGINS: originList,
  TRUST_PROXY: z.coerce
    .number({ message: 'must be the number of proxies in front of ChartText (0 when none)' })
    .int({ message: 'must be a whole number' })
    .min(0)
    .max(10)
    .default(0),
  TEMPLATES_FILE: z.string().trim().min(1, { message: 'must be a path to a JSON template file' }).optional(),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65_535).default(3000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

/** Every environment variable the relay reads (docs and .env.example are checked against this list). */
export const RELAY_VARIABLES: readonly string[] = Object.keys(variables.shape);

const schema = variables.superRefine((env, ctx) => {
  if (!env.RELAY_PRIVATE_KEY === !env.RELAY_PRIVATE_KEY_FILE) {
    ctx.addIssue({
      code: 'custom',
      path: ['RELAY_PRIVATE_KEY'],
      message: 'set exactly one of RELAY_PRIVATE_KEY (PEM or JWK text) and RELAY_PRIVATE_KEY_FILE (a path to it)',
    });
  }
  if (!env.TWILIO_API_KEY_SID !== !env.TWILIO_API_KEY_SECRET) {
    ctx.addIssue({
      code: 'custom',
      path: ['TWILIO_API_KEY_SECRET'],
      message: 'set both TWILIO_API_KEY_SID and TWILIO_API_KEY_SECRET, or neither (the auth token is then used)',
    });
  }
  const publicUrl = new URL(env.PUBLIC_BASE_URL);
  if (publicUrl.protocol !== 'https:' && !LOOPBACK.has(publicUrl.hostname)) {
    ctx.addIssue({
      code: 'custom',
      path: ['PUBLIC_BASE_URL'],
      message: 'must be https (Twilio webhooks carry PHI); plain http is accepted only on a loopback address',
    });
  }
  if (env.SEND_DEADLINE_SECONDS * 2 > env.CLAIM_TIMEOUT_SECONDS) {
    ctx.addIssue({
      code: 'custom',
      path: ['SEND_DEADLINE_SECONDS'],
      message: `must be at most half of CLAIM_TIMEOUT_SECONDS (${env.CLAIM_TIMEOUT_SECONDS}): reconciliation takes over a claim after CLAIM_TIMEOUT_SECONDS, and a send still running then could text twice`,
    });
  }
  if (env.TEMPLATES_FILE) {
    const templates = loadTemplateFile(path.resolve(env.TEMPLATES_FILE));
    if (!templates.ok) {
      ctx.addIssue({
        code: 'custom',
        path: ['TEMPLATES_FILE'],
        message: `is not a usable template file: ${templates.problem}`,
      });
    }
  }
  if (env.KEYWORD_REPLIES === 'relay' && !env.PRACTICE_NAME) {
    ctx.addIssue({
      code: 'custom',
      path: ['PRACTICE_NAME'],
      message: 'is required when KEYWORD_REPLIES=relay: carriers expect the brand name in STOP/START/HELP replies',
    });
  }
});

export interface RelayConfig {
  fhirBaseUrl: string;
  clientId: string;
  signingKey: RelaySigningKey;
  scopes: string;
  twilio: {
    accountSid: string;
    authToken: string;
    apiKeySid?: string;
    apiKeySecret?: string;
    fromNumber: string;
    messagingServiceSid?: string;
    apiBaseUrl?: string;
  };
  publicBaseUrl: string;
  practiceOrganization: string;
  practice: { name: string; helpPhone?: string };
  /** The practice's message templates (TEMPLATES_FILE, or the starter set shipped with ChartText); re-read on change. */
  templatesFile: string;
  keywordReplies: 'relay' | 'twilio';
  region: CountryCode;
  sweepIntervalMs: number;
  reconcileIntervalMs: number;
  reconcileLookbackMs: number;
  claimTimeoutMs: number;
  /** Hard deadline of one send from its claim (at most half of claimTimeoutMs); Twilio requests time out within it. */
  sendDeadlineMs: number;
  /** Timeout of one Twilio API request: 15 s, or the send deadline when shorter. */
  twilioTimeoutMs: number;
  stuckAfterMs: number;
  sendConcurrency: number;
  nudgeRateLimitPerMinute: number;
  subscription: 'auto' | 'off';
  /** Versioned updates made at the same moment share one FHIR batch when the EHR offers batch (ADR 094). */
  batchUpdates: boolean;
  /** Origins whose pages may show ChartText in an iframe (CSP frame-ancestors); empty: none may. */
  ehrOrigins: string[];
  /** Origins the browser app may call (CSP connect-src): FHIR_BASE_URL's, then FHIR_ORIGINS. */
  fhirOrigins: string[];
  /** Proxies in front of ChartText whose X-Forwarded-For is believed (Express `trust proxy`). */
  trustProxy: number;
  host: string;
  port: number;
  logLevel: string;
}

/** A configuration error naming every variable at fault. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Relay configuration is invalid:\n${problems.map((problem) => `  ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Parses the relay's variables from `env` (pure apart from reading RELAY_PRIVATE_KEY_FILE). */
export function parseRelayConfig(env: Record<string, string | undefined>): RelayConfig {
  const result = schema.safeParse(env);
  if (!result.success) {
    throw new ConfigError(result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`));
  }
  const value = result.data;
  let keyText: string;
  let keyVariable = 'RELAY_PRIVATE_KEY';
  if (value.RELAY_PRIVATE_KEY_FILE) {
    keyVariable = 'RELAY_PRIVATE_KEY_FILE';
    try {
      keyText = readFileSync(value.RELAY_PRIVATE_KEY_FILE, 'utf8');
    } catch {
      throw new ConfigError([`RELAY_PRIVATE_KEY_FILE: cannot read ${value.RELAY_PRIVATE_KEY_FILE}`]);
    }
  } else {
    keyText = (value.RELAY_PRIVATE_KEY ?? '').replace(/\\n/g, '\n');
  }
  let signingKey: RelaySigningKey;
  try {
    signingKey = loadSigningKey(keyText, {
      ...(value.RELAY_SIGNING_ALG ? { alg: value.RELAY_SIGNING_ALG } : {}),
      ...(value.RELAY_KEY_ID ? { kid: value.RELAY_KEY_ID } : {}),
    });
  } catch (err) {
    throw new ConfigError([`${keyVariable}: ${(err as Error).message}`]);
  }
  return {
    fhirBaseUrl: value.FHIR_BASE_URL,
    clientId: value.RELAY_CLIENT_ID,
    signingKey,
    scopes:
      value.RELAY_SCOPES ??
      [...Object.keys(RELAY_SCOPES), ...(value.FHIR_SUBSCRIPTION === 'auto' ? [SUBSCRIPTION_SCOPE] : [])].join(' '),
    twilio: {
      accountSid: value.TWILIO_ACCOUNT_SID,
      authToken: value.TWILIO_AUTH_TOKEN,
      ...(value.TWILIO_API_KEY_SID ? { apiKeySid: value.TWILIO_API_KEY_SID } : {}),
      ...(value.TWILIO_API_KEY_SECRET ? { apiKeySecret: value.TWILIO_API_KEY_SECRET } : {}),
      fromNumber: value.TWILIO_FROM_NUMBER,
      ...(value.TWILIO_MESSAGING_SERVICE_SID ? { messagingServiceSid: value.TWILIO_MESSAGING_SERVICE_SID } : {}),
      ...(value.TWILIO_API_BASE_URL ? { apiBaseUrl: value.TWILIO_API_BASE_URL } : {}),
    },
    publicBaseUrl: value.PUBLIC_BASE_URL,
    practiceOrganization: value.PRACTICE_ORGANIZATION,
    practice: {
      name: value.PRACTICE_NAME ?? 'Your care team',
      ...(value.PRACTICE_HELP_PHONE ? { helpPhone: value.PRACTICE_HELP_PHONE } : {}),
    },
    templatesFile: value.TEMPLATES_FILE ? path.resolve(value.TEMPLATES_FILE) : STARTER_TEMPLATES_FILE,
    keywordReplies: value.KEYWORD_REPLIES,
    region: value.PHONE_REGION as CountryCode,
    sweepIntervalMs: value.SWEEP_INTERVAL_SECONDS * 1000,
    reconcileIntervalMs: value.RECONCILE_INTERVAL_SECONDS * 1000,
    reconcileLookbackMs: value.RECONCILE_LOOKBACK_HOURS * 3_600_000,
    claimTimeoutMs: value.CLAIM_TIMEOUT_SECONDS * 1000,
    sendDeadlineMs: value.SEND_DEADLINE_SECONDS * 1000,
    twilioTimeoutMs: Math.min(15_000, value.SEND_DEADLINE_SECONDS * 1000),
    stuckAfterMs: value.STUCK_AFTER_SECONDS * 1000,
    sendConcurrency: value.SEND_CONCURRENCY,
    nudgeRateLimitPerMinute: value.NUDGE_RATE_LIMIT_PER_MINUTE,
    subscription: value.FHIR_SUBSCRIPTION,
    batchUpdates: value.FHIR_BATCH_UPDATES === 'auto',
    ehrOrigins: value.EHR_ORIGINS,
    fhirOrigins: [...new Set([new URL(value.FHIR_BASE_URL).origin, ...value.FHIR_ORIGINS])],
    trustProxy: value.TRUST_PROXY,
    host: value.HOST,
    port: value.PORT,
    logLevel: value.LOG_LEVEL,
  };
}

/**
 * The relay's configuration from this process's environment; the only place the relay reads process.env.
 * `overrides` win over the environment (the doctor's `--fhir`).
 */
export function loadRelayConfig(overrides: Record<string, string | undefined> = {}): RelayConfig {
  return parseRelayConfig({ ...process.env, ...overrides });
}
