/**
 * Every variable the relay reads, malformed one at a time, stops start-up with a message naming it; and `npm run
 * serve` itself exits with that message (exit 78), or with the command to run when the build is missing, and shuts
 * down cleanly on SIGTERM.
 */
import { spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { ConfigError, parseRelayConfig, RELAY_VARIABLES } from './config';

const key = generateKeyPairSync('ec', { namedCurve: 'P-384' })
  .privateKey.export({ format: 'pem', type: 'pkcs8' })
  .toString();

const valid: Record<string, string> = {
  FHIR_BASE_URL: 'https://ehr.example.org/fhir/R4',
  RELAY_CLIENT_ID: 'charttext-relay',
  RELAY_PRIVATE_KEY: key,
  TWILIO_ACCOUNT_SID: `AC${'a'.repeat(32)}`,
  TWILIO_AUTH_TOKEN: 'f'.repeat(32),
  TWILIO_FROM_NUMBER: '+12015550100',
  PUBLIC_BASE_URL: 'https://charttext.example.org',
  PRACTICE_ORGANIZATION: 'Organization/practice',
};

/** A malformed value per variable and what the message must say; `null` for free text that cannot be malformed. */
const MALFORMED: Record<string, [string, RegExp] | null> = {
  FHIR_BASE_URL: ['ehr.example.org/fhir', /absolute URL/],
  RELAY_CLIENT_ID: ['', /./],
  RELAY_PRIVATE_KEY: ['-----BEGIN PRIVATE KEY-----\nnope\n-----END PRIVATE KEY-----', /private key/],
  RELAY_PRIVATE_KEY_FILE: ['/nonexistent/relay-key.pem', /cannot read/],
  RELAY_KEY_ID: null,
  RELAY_SIGNING_ALG: ['HS256', /RS384 or ES384/],
  RELAY_SCOPES: null,
  TWILIO_ACCOUNT_SID: ['AC123', /AC followed by 32/],
  TWILIO_AUTH_TOKEN: ['short', /too short/],
  TWILIO_API_KEY_SID: ['SK123', /SK followed by 32/],
  TWILIO_API_KEY_SECRET: ['secret-without-a-key', /set both/],
  TWILIO_FROM_NUMBER: ['201-555-0100', /E\.164/],
  TWILIO_MESSAGING_SERVICE_SID: ['MG123', /MG followed by 32/],
  TWILIO_API_BASE_URL: ['127.0.0.1:3001/twilio', /absolute URL/],
  PUBLIC_BASE_URL: ['http://charttext.example.org', /must be https/],
  PRACTICE_ORGANIZATION: ['Practice/1', /Organization\/123/],
  PRACTICE_NAME: null,
  PRACTICE_HELP_PHONE: null,
  KEYWORD_REPLIES: ['carrier', /relay or twilio/],
  PHONE_REGION: ['USA', /ISO 3166/],
  SWEEP_INTERVAL_SECONDS: ['0', /at least 1/],
  RECONCILE_INTERVAL_SECONDS: ['2', /at least 5/],
  RECONCILE_LOOKBACK_HOURS: ['-1', /./],
  CLAIM_TIMEOUT_SECONDS: ['soon', /number of seconds/],
  SEND_DEADLINE_SECONDS: ['0', /at least 0.1/],
  STUCK_AFTER_SECONDS: ['1.5', /whole number/],
  SEND_CONCURRENCY: ['0', /./],
  NUDGE_RATE_LIMIT_PER_MINUTE: ['lots', /./],
  FHIR_SUBSCRIPTION: ['on', /auto or off/],
  EHR_ORIGINS: ['https://ehr.example.org/epic/launch', /origin only .* https:\/\/ehr\.example\.org/],
  FHIR_ORIGINS: ['http://auth.example.org', /must be https/],
  TRUST_PROXY: ['yes', /number of proxies/],
  FHIR_BATCH_UPDATES: ['sometimes', /must be auto or off/],
  TEMPLATES_FILE: ['/nonexistent/charttext-templates.json', /not a usable template file: cannot read/],
  HOST: ['', /./],
  PORT: ['70000', /./],
  LOG_LEVEL: ['loud', /./],
};

function problemsOf(env: Record<string, string | undefined>): string[] {
  try {
    parseRelayConfig(env);
    return [];
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
}

describe('each variable, malformed', () => {
  test('every variable the relay reads has a case here (a new variable needs one)', () => {
    expect(Object.keys(MALFORMED).sort()).toEqual([...RELAY_VARIABLES].sort());
  });

  const cases = Object.entries(MALFORMED).flatMap(([name, bad]) => (bad ? [[name, ...bad] as const] : []));
  test.each(cases)('when %s is %j, then start-up stops naming it', (name, value, message) => {
    // The key file replaces the inline key (exactly one of them is allowed).
    const base = name === 'RELAY_PRIVATE_KEY_FILE' ? { ...valid, RELAY_PRIVATE_KEY: undefined } : valid;
    const problems = problemsOf({ ...base, [name]: value });
    const named = problems.filter((problem) => problem.startsWith(`${name}:`));
    expect(named, problems.join('\n')).toHaveLength(1);
    expect(named[0]).toMatch(message);
  });
});

const tsx = path.resolve('node_modules/.bin/tsx');
const serveEntry = path.resolve('server/serve.ts');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `npm run serve`'s entry with exactly `env` (plus PATH) in `cwd`; `whenUp` runs once it logs that it serves. */
function runServe(env: Record<string, string>, cwd: string, whenUp?: (port: number) => Promise<void>): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(tsx, [serveEntry], { cwd, env: { PATH: process.env.PATH ?? '', ...env } });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 25_000);
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const line = stdout.split('\n').find((text) => text.includes('"ChartText serving"'));
      if (line && whenUp) {
        const port = (JSON.parse(line) as { port: number }).port;
        const then = whenUp;
        whenUp = undefined;
        then(port).then(
          () => child.kill('SIGTERM'),
          (err: Error) => {
            child.kill('SIGKILL');
            reject(err);
          },
        );
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('npm run serve', () => {
  test('when required variables are missing, then it exits 78 naming each and pointing at the reference', async () => {
    const { FHIR_BASE_URL: _f, TWILIO_AUTH_TOKEN: _t, ...rest } = valid;
    const run = await runServe({ ...rest, EHR_ORIGINS: 'ehr.example.org' }, process.cwd());
    expect(run.code).toBe(78);
    expect(run.stderr).toMatch(/FHIR_BASE_URL: is required/);
    expect(run.stderr).toMatch(/TWILIO_AUTH_TOKEN: is required/);
    expect(run.stderr).toMatch(/EHR_ORIGINS: “ehr\.example\.org” is not an origin/);
    expect(run.stderr).toContain('docs/configuration.md');
    expect(run.stderr).not.toContain(key.split('\n')[1] ?? 'never');
  });

  test('when the pages were never built, then it exits saying to run npm run build', async () => {
    const cwd = mkdtempSync(path.join(tmpdir(), 'charttext-nobuild-'));
    dirs.push(cwd);
    const run = await runServe({ ...valid, PORT: '0' }, cwd);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/dist\/web\/launch\/index\.html is missing: run npm run build first/);
  });

  test('when it runs, then it serves the pages with the CSP and stops cleanly on SIGTERM', async () => {
    let csp = '';
    let health = 0;
    const run = await runServe(
      {
        ...valid,
        PORT: '0',
        LOG_LEVEL: 'info',
        EHR_ORIGINS: 'https://ehr.example.org',
        FHIR_BASE_URL: 'http://127.0.0.1:9/fhir',
      },
      process.cwd(),
      async (port) => {
        const page = await fetch(`http://127.0.0.1:${port}/client/`);
        csp = page.headers.get('content-security-policy') ?? '';
        health = (await fetch(`http://127.0.0.1:${port}/healthz`)).status;
      },
    );
    expect(health).toBe(200);
    expect(csp).toContain('frame-ancestors https://ehr.example.org');
    expect(run.stdout).toContain('"ChartText stopped"');
    expect(run.code).toBe(0);
  });
});
