/**
 * Conformance: the simulator's requests and responses checked against Twilio's OpenAPI description by
 * @stoplight/prism-cli in proxy mode with --errors, driven by the real twilio SDK. Prism answers 422 for a request
 * that breaks the document and 500 for a response that does, so any drift fails these tests.
 *
 * The contract is ../shared/reference/twilio/twilio_api_v2010.json, reduced to its Messages paths (start-up time) with
 * two corrections, each for a defect of the document or of Prism, not of the simulator (docs/decisions/062):
 * - list responses' page URIs are `format: uri`, yet the document's own examples (and Twilio, and the SDK that
 *   prefixes them with https://api.twilio.com) use relative URIs: checked as `uri-reference` instead;
 * - Prism reads a form field as an array only when the body declares an encoding: the OpenAPI default for
 *   form bodies (style form, explode true) is written out for MediaUrl.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import express from 'express';
import twilio from 'twilio';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { PRACTICE } from '../seed/roster';
import { startPhoneSimulator, type RunningPhoneSimulator } from './startPhoneSimulator';
import { createRewritingHttpClient } from './twilioHostRewrite';

const SPEC = path.resolve('../shared/reference/twilio/twilio_api_v2010.json');
const PRISM = path.resolve('node_modules/@stoplight/prism-cli/dist/index.js');
const ACCOUNT_SID = 'AC' + randomBytes(16).toString('hex');
const AUTH_TOKEN = randomBytes(16).toString('hex');
const SERVICE_SID = 'MG' + randomBytes(16).toString('hex');
const MARIA = '+12015550123';
const GRACE = '+12015550129';
const AUTH = 'Basic ' + Buffer.from(`${ACCOUNT_SID}:${AUTH_TOKEN}`).toString('base64');
const LIST_URI_FIELDS = ['first_page_uri', 'next_page_uri', 'previous_page_uri', 'uri'];

type Json = Record<string, unknown>;

/** Twilio's document, Messages paths only, with the two corrections described above. */
function derivedContract(): Json {
  const spec = JSON.parse(fs.readFileSync(SPEC, 'utf8')) as { paths: Record<string, Json> };
  spec.paths = Object.fromEntries(Object.entries(spec.paths).filter(([url]) => url.includes('/Messages')));
  const at = (object: unknown, ...keys: string[]): Json =>
    keys.reduce((current, key) => current[key] as Json, object as Json);
  const createBody = at(
    spec.paths,
    '/2010-04-01/Accounts/{AccountSid}/Messages.json',
    'post',
    'requestBody',
    'content',
  );
  at(createBody, 'application/x-www-form-urlencoded').encoding = { MediaUrl: { style: 'form', explode: true } };
  for (const [url, operations] of Object.entries(spec.paths)) {
    if (!url.endsWith('Messages.json') && !url.endsWith('Media.json')) continue;
    const properties = at(operations, 'get', 'responses', '200', 'content', 'application/json', 'schema', 'properties');
    for (const field of LIST_URI_FIELDS) {
      const property = properties[field] as Json | undefined;
      if (property?.format !== 'uri')
        throw new Error(`${url} ${field} is no longer format: uri; revisit this correction`);
      property.format = 'uri-reference';
    }
  }
  return spec;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Starts `prism proxy --errors` for `specFile` in front of `upstream`; resolves with its origin. */
async function startPrism(specFile: string, upstream: string): Promise<{ origin: string; child: ChildProcess }> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [PRISM, 'proxy', '--errors', '-h', '127.0.0.1', '-p', String(port), specFile, upstream],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`Prism did not start:\n${output}`)), 45_000);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      if (output.includes('Prism is listening')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`Prism exited with ${code}:\n${output}`));
    });
  });
  return { origin: `http://127.0.0.1:${port}`, child };
}

const stopPrism = async (child: ChildProcess | undefined): Promise<void> => {
  if (child === undefined || child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill();
  await exited;
};

let workDir: string;
let specFile: string;
let running: RunningPhoneSimulator;
let prism: { origin: string; child: ChildProcess } | undefined;
let client: twilio.Twilio;

beforeAll(async () => {
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'phone-openapi-'));
  specFile = path.join(workDir, 'twilio-messages.json');
  fs.writeFileSync(specFile, JSON.stringify(derivedContract()));
  running = await startPhoneSimulator({
    accountSid: ACCOUNT_SID,
    authToken: AUTH_TOKEN,
    messagingServices: [{ sid: SERVICE_SID, numbers: [PRACTICE.smsNumber] }],
    timing: { sentAfterMs: 0, finalAfterMs: 0 },
  });
  prism = await startPrism(specFile, running.simulator.apiBaseUrl);
  client = twilio(ACCOUNT_SID, AUTH_TOKEN, { httpClient: createRewritingHttpClient(prism.origin) });
});

afterAll(async () => {
  await stopPrism(prism?.child);
  await running.close();
  fs.rmSync(workDir, { recursive: true, force: true });
});

/** A raw request through Prism; returns status, the violations header and the body. */
async function throughPrism(
  url: string,
  init: RequestInit = {},
): Promise<{ status: number; violations: string | null; body: Json }> {
  const response = await fetch(`${prism?.origin ?? ''}${url}`, {
    ...init,
    headers: { Authorization: AUTH, ...(init.headers as Record<string, string> | undefined) },
  });
  return {
    status: response.status,
    violations: response.headers.get('sl-violations'),
    body: (await response.json()) as Json,
  };
}

describe("conformance to Twilio's OpenAPI description", () => {
  test('when the SDK creates, fetches and lists messages and media through Prism, then every exchange conforms', async () => {
    const sms = await client.messages.create({
      to: MARIA,
      from: PRACTICE.smsNumber,
      body: 'Hello 👋',
      statusCallback: 'https://relay.example/twilio/status',
    });
    const mms = await client.messages.create({
      to: MARIA,
      from: PRACTICE.smsNumber,
      body: 'Two pictures',
      mediaUrl: ['https://example.org/a.png', 'https://example.org/b.jpg'],
    });
    const viaService = await client.messages.create({
      to: GRACE,
      messagingServiceSid: SERVICE_SID,
      body: 'Via a service',
    });
    await running.simulator.sendInbound({ from: MARIA, body: 'Here is my card', media: ['insurance-card.png'] });
    await running.simulator.settled();

    for (const sid of [sms.sid, mms.sid, viaService.sid]) {
      expect((await client.messages(sid).fetch()).status).toBe('delivered');
    }
    const everything = await client.messages.list({ pageSize: 2 });
    expect(everything).toHaveLength(4);
    expect(everything.map((message) => message.direction)).toContain('inbound');
    const filtered = await client.messages.list({
      to: MARIA,
      from: PRACTICE.smsNumber,
      dateSentAfter: new Date(Date.now() - 60_000),
      dateSentBefore: new Date(Date.now() + 60_000),
    });
    expect(filtered.map((message) => message.sid).sort()).toEqual([sms.sid, mms.sid].sort());
    const media = await client.messages(mms.sid).media.list();
    expect(media.map((item) => item.contentType)).toEqual(['image/png', 'image/jpeg']);
    expect(
      (
        await client
          .messages(mms.sid)
          .media(media[0]?.sid ?? '')
          .fetch()
      ).parentSid,
    ).toBe(mms.sid);
  });

  test('when each endpoint answers successfully, then Prism reports no violation at all', async () => {
    const created = await throughPrism(`/2010-04-01/Accounts/${ACCOUNT_SID}/Messages.json`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ To: GRACE, From: PRACTICE.smsNumber, Body: 'Raw create' }).toString(),
    });
    expect([created.status, created.violations]).toEqual([201, null]);
    const sid = String(created.body.sid);
    const { message } = await running.simulator.sendInbound({ from: GRACE, body: 'Photo', media: ['rash.png'] });
    const mediaSid = message.media[0]?.sid ?? '';
    const base = `/2010-04-01/Accounts/${ACCOUNT_SID}/Messages`;

    for (const url of [
      `${base}/${sid}.json`,
      `${base}.json?To=${encodeURIComponent(GRACE)}&PageSize=1`,
      `${base}.json?DateSent=${encodeURIComponent(new Date().toISOString().slice(0, 10) + 'T00:00:00Z')}`,
      `${base}/${message.sid}/Media.json`,
      `${base}/${message.sid}/Media/${mediaSid}.json`,
    ]) {
      const answer = await throughPrism(url);
      expect([url, answer.status, answer.violations]).toEqual([url, 200, null]);
    }
  });

  test('when the simulator answers with a Twilio error, then only the undocumented status is noted and the body is Twilio-shaped', async () => {
    const missing = await throughPrism(`/2010-04-01/Accounts/${ACCOUNT_SID}/Messages/SM${'0'.repeat(32)}.json`);
    const noBody = await throughPrism(`/2010-04-01/Accounts/${ACCOUNT_SID}/Messages.json`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ To: MARIA, From: PRACTICE.smsNumber }).toString(),
    });
    for (const [answer, status, code] of [
      [missing, 404, 20404],
      [noBody, 400, 21602],
    ] as const) {
      expect(answer.status).toBe(status);
      expect(answer.body).toEqual({
        code,
        message: expect.any(String) as string,
        more_info: expect.any(String) as string,
        status,
      });
      const violations = JSON.parse(answer.violations ?? '[]') as Array<{ severity: string; message: string }>;
      expect(violations.map((violation) => violation.severity)).toEqual(['Warning']);
      expect(violations[0]?.message).toMatch(/Unable to match the returned status code/);
    }
  });

  test('when a response drifts from the schema, then this harness fails it (Prism answers 500 with the violations)', async () => {
    const drifting = express();
    drifting.get('/{*path}', (_req, res) => {
      res.json({ sid: `SM${'1'.repeat(32)}`, account_sid: ACCOUNT_SID, status: 'lost-in-the-mail', num_segments: 1 });
    });
    const server = drifting.listen(0, '127.0.0.1');
    await new Promise<void>((resolve) => server.once('listening', resolve));
    const driftPrism = await startPrism(specFile, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    try {
      const response = await fetch(
        `${driftPrism.origin}/2010-04-01/Accounts/${ACCOUNT_SID}/Messages/SM${'1'.repeat(32)}.json`,
        {
          headers: { Authorization: AUTH },
        },
      );
      expect(response.status).toBe(500);
      const problem = (await response.json()) as { validation: Array<{ location: string[] }> };
      expect(problem.validation.map((violation) => violation.location.join('.')).sort()).toEqual([
        'response.body.num_segments',
        'response.body.status',
      ]);
    } finally {
      await stopPrism(driftPrism.child);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
