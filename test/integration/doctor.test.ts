/**
 * `npm run doctor` against the real sandbox over HTTP: it passes as the sandbox is, and fails — naming the fix, and
 * nothing else — when the EHR is crippled one way at a time. The crippling is a small Express layer in front of the
 * sandbox that rewrites its discovery document or CapabilityStatement (the sandbox itself has no switches for it).
 */
import { spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { CapabilityStatement } from '@medplum/fhirtypes';
import express from 'express';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parseRelayConfig } from '../../server/config';
import type { CheckResult } from '../../server/doctor/checkResult';
import { formatReport } from '../../server/doctor/printReport';
import { runDoctor } from '../../server/doctor/runDoctor';
import { startServedStack, type ServedStack } from '../support/servedStack';

type Json = Record<string, unknown>;

let dataDir: string;
let stack: ServedStack;
const fronts: Server[] = [];

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'charttext-doctor-'));
  stack = await startServedStack({ dataDir });
});

afterAll(async () => {
  for (const front of fronts) {
    front.closeAllConnections();
    await new Promise((resolve) => front.close(resolve));
  }
  await stack.close();
  rmSync(dataDir, { recursive: true, force: true });
});

/** The sandbox behind a layer that rewrites its discovery document and CapabilityStatement; its FHIR base. */
async function crippled(rewrite: { discovery?: (doc: Json) => Json; metadata?: (cs: CapabilityStatement) => void }) {
  const front = express();
  front.get('/fhir/.well-known/smart-configuration', async (_req, res) => {
    const doc = (await (await fetch(`${stack.sandbox.fhirBaseUrl}/.well-known/smart-configuration`)).json()) as Json;
    res.json(rewrite.discovery ? rewrite.discovery(doc) : doc);
  });
  front.get('/fhir/metadata', async (_req, res) => {
    const cs = (await (await fetch(`${stack.sandbox.fhirBaseUrl}/metadata`)).json()) as CapabilityStatement;
    rewrite.metadata?.(cs);
    res.type('application/fhir+json').send(JSON.stringify(cs));
  });
  front.use(stack.sandbox.app);
  const server = createServer(front);
  fronts.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/fhir`;
}

/** Runs the doctor against `fhirBaseUrl` with the stack's relay variables and `env` over them. */
async function doctor(fhirBaseUrl: string, env: Record<string, string | undefined> = {}): Promise<CheckResult[]> {
  // The token endpoint stays on the sandbox's own origin behind a crippling layer: the browser may call it.
  const config = parseRelayConfig({ ...stack.env, FHIR_BASE_URL: fhirBaseUrl, FHIR_ORIGINS: stack.sandboxUrl, ...env });
  return runDoctor({ fhirBaseUrl, config, resolve: () => Promise.resolve([]) });
}

const failing = (rows: readonly CheckResult[]): CheckResult[] => rows.filter((row) => row.status === 'fail');

describe('doctor against the sandbox', () => {
  test('when the sandbox is as it ships, then every check passes or warns and nothing fails', async () => {
    const rows = await doctor(stack.sandbox.fhirBaseUrl);
    expect(failing(rows), formatReport(stack.sandbox.fhirBaseUrl, rows)).toEqual([]);
    const passed = rows.filter((row) => row.status === 'pass').map((row) => row.check);
    for (const check of [
      'PKCE (S256)',
      'SMART launch-ehr',
      'Scopes: app in a chart',
      'Scopes: relay',
      'FHIR Communication',
      'Conditional create Communication',
      'Versioned update Communication',
      'Relay token',
      'Relay scopes granted',
      'Relay search',
      'Twilio account',
      'Twilio webhook URLs',
      'CSP frame-ancestors',
    ]) {
      expect(passed, formatReport(stack.sandbox.fhirBaseUrl, rows)).toContain(check);
    }
  });

  test.each<[string, Parameters<typeof crippled>[0], string, RegExp]>([
    [
      'the EHR offers no PKCE',
      {
        discovery: ({ code_challenge_methods_supported: _gone, ...doc }) => doc,
      },
      'PKCE (S256)',
      /enable PKCE with S256/,
    ],
    [
      'Communication cannot be created',
      {
        metadata: (cs) => {
          const communication = cs.rest?.[0]?.resource?.find((resource) => resource.type === 'Communication');
          if (communication) communication.interaction = communication.interaction?.filter((i) => i.code !== 'create');
        },
      },
      'FHIR Communication',
      /keeps every message as a Communication/,
    ],
    [
      'a scope the app needs is not offered',
      {
        discovery: (doc) => ({
          ...doc,
          scopes_supported: (doc.scopes_supported as string[]).filter((scope) => scope !== 'fhirUser'),
        }),
      },
      'Scopes: launch and user',
      /openid fhirUser/,
    ],
  ])('when %s, then the doctor fails that check alone and names the fix', async (_name, rewrite, check, fix) => {
    const fhirBaseUrl = await crippled(rewrite);
    const rows = await doctor(fhirBaseUrl);
    const failed = failing(rows);
    expect(
      failed.map((row) => row.check),
      formatReport(fhirBaseUrl, rows),
    ).toEqual([check]);
    expect(failed[0]?.fix).toMatch(fix);
  });

  test('when the relay has a key the EHR does not know, then the token check fails and says what to register', async () => {
    const stranger = generateKeyPairSync('ec', { namedCurve: 'P-384' })
      .privateKey.export({ format: 'pem', type: 'pkcs8' })
      .toString();
    const rows = await doctor(stack.sandbox.fhirBaseUrl, {
      RELAY_PRIVATE_KEY_FILE: undefined,
      RELAY_PRIVATE_KEY: stranger,
    });
    const failed = failing(rows);
    expect(
      failed.map((row) => row.check),
      formatReport(stack.sandbox.fhirBaseUrl, rows),
    ).toEqual(['Relay token']);
    expect(failed[0]?.detail).toMatch(/refused the relay/);
    expect(failed[0]?.fix).toContain(`${stack.appUrl}/.well-known/jwks.json`);
  });

  test('when the Twilio auth token is wrong, then the Twilio check fails naming the variables to copy again', async () => {
    const rows = await doctor(stack.sandbox.fhirBaseUrl, { TWILIO_AUTH_TOKEN: 'f'.repeat(32) });
    const failed = failing(rows);
    expect(failed.map((row) => row.check)).toEqual(['Twilio account']);
    expect(failed[0]?.fix).toMatch(/TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN/);
  });

  test('when the token endpoint is on an origin the app may not call, then connect-src fails naming the origin', async () => {
    const fhirBaseUrl = await crippled({});
    const config = parseRelayConfig({ ...stack.env, FHIR_BASE_URL: fhirBaseUrl });
    const rows = await runDoctor({ fhirBaseUrl, config, resolve: () => Promise.resolve([]) });
    const failed = failing(rows);
    expect(failed.map((row) => row.check)).toEqual(['CSP connect-src']);
    expect(failed[0]?.fix).toBe(
      `Add ${stack.sandboxUrl} to FHIR_ORIGINS: the app exchanges its code for a token there.`,
    );
  });
});

/** Runs `npm run doctor`'s entry with `env` (plus PATH) and the given arguments. */
function runCli(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string }> {
  return new Promise((resolve) => {
    const child = spawn(path.resolve('node_modules/.bin/tsx'), [path.resolve('server/doctor/cli.ts'), ...args], {
      env: { PATH: process.env.PATH ?? '', ...env },
    });
    let stdout = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 25_000);
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout });
    });
  });
}

describe('npm run doctor', () => {
  test('when run against the sandbox, then it prints the table and exits 0', async () => {
    const { FHIR_BASE_URL: _unset, ...env } = stack.env;
    const run = await runCli(['--fhir', stack.sandbox.fhirBaseUrl], env);
    expect(run.stdout).toMatch(/^PASS +PKCE \(S256\)/m);
    expect(run.stdout).toMatch(/ 0 failed\./);
    expect(run.code).toBe(0);
  });

  test('when run against an EHR without PKCE, then it prints FAIL with the fix and exits 1', async () => {
    const fhirBaseUrl = await crippled({ discovery: ({ code_challenge_methods_supported: _gone, ...doc }) => doc });
    const run = await runCli(['--fhir', fhirBaseUrl], {
      ...stack.env,
      FHIR_BASE_URL: fhirBaseUrl,
      FHIR_ORIGINS: stack.sandboxUrl,
    });
    expect(run.stdout).toMatch(/^FAIL +PKCE \(S256\) +PKCE is not advertised\n +fix: .*S256/m);
    expect(run.code).toBe(1);
  });

  test('when --fhir is missing, then it prints the usage and exits 2', async () => {
    expect((await runCli([], {})).code).toBe(2);
  });
});
