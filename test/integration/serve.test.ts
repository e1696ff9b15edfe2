/**
 * `npm run serve`'s composition over real HTTP, pointed at the sandbox: the headers a browser gets, health and
 * readiness, what other sites and oversized or forged requests get, and a shutdown that lets the send in flight finish.
 */
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Communication } from '@medplum/fhirtypes';
import twilio from 'twilio';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { threadKey } from '../../fhir-profiles/threadKey';
import { TOKENS, IDENTIFIER_SYSTEMS } from '../../fhir-profiles/vocabulary';
import { pendingOutbound } from '../fixtures/messages';
import { SPECIAL_PATIENTS, PRACTICE } from '../../sandbox/seed';
import { createServedApp } from '../../server/createServedApp';
import { shutDownGracefully } from '../../server/gracefulShutdown';
import { inlineHashesOfBuild } from '../../server/http/contentSecurityPolicy';
import { WEBHOOK_FAILURES_PER_MINUTE } from '../../server/http/webhookFailureLimit';
import type { SendRequest, SmsGateway, SmsMessage } from '../../server/relay/smsGateway';
import { createFakeSmsGateway } from './relay-support/fakeSmsGateway';
import { startServedStack, type ServedStack } from '../support/servedStack';

const dirs: string[] = [];
const tempDir = (): string => {
  const dir = mkdtempSync(path.join(tmpdir(), 'charttext-serve-'));
  dirs.push(dir);
  return dir;
};

afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('the served origin', () => {
  let stack: ServedStack;

  beforeAll(async () => {
    // One proxy hop is trusted, so tests can speak for different client addresses through X-Forwarded-For.
    stack = await startServedStack({ dataDir: tempDir(), relayEnv: { TRUST_PROXY: '1' } });
  });

  afterAll(async () => {
    await stack.close();
  });

  test('when the launch page is fetched, then its CSP lets only the EHR frame it and only the EHR be called', async () => {
    const response = await fetch(`${stack.appUrl}/launch/?iss=x`);
    expect(response.status).toBe(200);
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toContain(`frame-ancestors ${stack.sandboxUrl}`);
    expect(csp).toContain(`connect-src 'self' ${stack.sandboxUrl}`);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("object-src 'none'");
    // The launch page's inline <style> is allowed by its hash, nothing else inline is.
    const { style } = inlineHashesOfBuild('dist/web');
    expect(style.length).toBeGreaterThan(0);
    for (const hash of style) expect(csp).toContain(hash);
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('upgrade-insecure-requests');
    expect(response.headers.get('strict-transport-security')).toBeNull();
    expect(response.headers.get('x-frame-options')).toBeNull();
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    expect(response.headers.get('x-powered-by')).toBeNull();
  });

  test('when the load balancer asks, then /healthz and /readyz pass against the sandbox', async () => {
    const health = await fetch(`${stack.appUrl}/healthz`);
    expect(health.status).toBe(200);
    const ready = await fetch(`${stack.appUrl}/readyz`);
    expect(await ready.json()).toMatchObject({ status: 'pass', checks: { ehr: 'pass', token: 'pass' } });
    expect(ready.status).toBe(200);
  });

  test('when another site posts to the API, then it is refused without any CORS header', async () => {
    for (const method of ['POST', 'OPTIONS']) {
      const response = await fetch(`${stack.appUrl}/api/outbox/nudge`, {
        method,
        headers: { origin: 'https://attacker.example', 'access-control-request-method': 'POST' },
      });
      expect(response.status).toBe(403);
      expect(response.headers.get('access-control-allow-origin')).toBeNull();
      expect(JSON.stringify(await response.json())).toContain('only its own pages');
    }
    const own = await fetch(`${stack.appUrl}/api/outbox/nudge`, { method: 'POST', headers: { origin: stack.appUrl } });
    expect(own.status).toBe(202);
    expect(own.headers.get('access-control-allow-origin')).toBeNull();
  });

  test('when a body is larger than ChartText takes, then it is refused before it is read', async () => {
    const response = await fetch(`${stack.appUrl}/twilio/inbound`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `Body=${'x'.repeat(100 * 1024)}`,
    });
    expect(response.status).toBe(413);
    expect(((await response.json()) as { resourceType: string }).resourceType).toBe('OperationOutcome');
  });

  test('when one address keeps sending forged webhooks, then it is throttled, others are not, and Twilio’s signed webhooks from it still get through', async () => {
    const form = {
      AccountSid: stack.config.twilio.accountSid,
      MessageSid: 'SM00000000000000000000000000000000',
      MessageStatus: 'delivered',
    };
    const post = (address: string, signature: string): Promise<Response> =>
      fetch(`${stack.appUrl}/twilio/status`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'x-twilio-signature': signature,
          'x-forwarded-for': address,
        },
        body: new URLSearchParams(form).toString(),
      });
    const forged = (address: string): Promise<Response> => post(address, 'forged');
    for (let i = 0; i < WEBHOOK_FAILURES_PER_MINUTE; i += 1) expect((await forged('203.0.113.7')).status).toBe(403);
    const throttled = await forged('203.0.113.7');
    expect(throttled.status).toBe(429);
    expect(Number(throttled.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await forged('203.0.113.8')).status).toBe(403);
    // Behind a proxy whose X-Forwarded-For is not believed, Twilio shares the forger's address: it is never locked out.
    const signature = twilio.getExpectedTwilioSignature(
      stack.config.twilio.authToken,
      `${stack.config.publicBaseUrl}/twilio/status`,
      form,
    );
    expect((await post('203.0.113.7', signature)).status).toBe(204);
  });

  test('when a path or asset does not exist, then the answer is an OperationOutcome that reveals nothing', async () => {
    for (const missing of ['/nothing-here', '/assets/missing.js']) {
      const response = await fetch(`${stack.appUrl}${missing}`);
      expect(response.status).toBe(404);
      const text = await response.text();
      expect(text).toContain('OperationOutcome');
      expect(text).not.toMatch(/node_modules|at .*\(/);
    }
  });
});

describe('start-up without a build', () => {
  test('when dist/web is missing, then the served app refuses to start and names npm run build', async () => {
    const stack = await startServedStack({ dataDir: tempDir() });
    try {
      expect(() => createServedApp(stack.config, { distDir: tempDir() })).toThrow(/npm run build/);
    } finally {
      await stack.close();
    }
  });
});

/** A Twilio stand-in whose sends wait until released, so a shutdown can be started in the middle of one. */
function heldGateway(from: string): SmsGateway & { started: Promise<void>; release(): void; finishedAt?: number } {
  const inner = createFakeSmsGateway(from);
  let started!: () => void;
  let release!: () => void;
  const startedPromise = new Promise<void>((resolve) => (started = resolve));
  const released = new Promise<void>((resolve) => (release = resolve));
  const gateway = {
    ...inner,
    started: startedPromise,
    release,
    finishedAt: undefined as number | undefined,
    async send(request: SendRequest): Promise<SmsMessage> {
      started();
      await released;
      const message = await inner.send(request);
      gateway.finishedAt = Date.now();
      return message;
    },
  };
  return gateway;
}

describe('graceful shutdown', () => {
  test('when SIGTERM arrives during a send, then readiness fails at once and the send is recorded before exit', async () => {
    const gateway = heldGateway(PRACTICE.smsNumber);
    const stack = await startServedStack({ dataDir: tempDir(), relayOverrides: { sms: gateway } });
    try {
      const fhir = stack.served.relay.context.fhir;
      const patient = `Patient/${SPECIAL_PATIENTS.longThread}`;
      const headers = await fhir.search('Communication', {
        identifier: TOKENS.thread(threadKey(patient, PRACTICE.smsNumber)),
      });
      const header = (headers.entry ?? [])[0]?.resource as Communication | undefined;
      expect(header?.id).toBeTruthy();
      const { resource: pending } = await fhir.create<Communication>(
        pendingOutbound({
          patientId: SPECIAL_PATIENTS.longThread,
          thread: `Communication/${header?.id ?? ''}`,
          body: 'See you on Tuesday',
        }),
      );

      expect((await fetch(`${stack.appUrl}/api/outbox/nudge`, { method: 'POST' })).status).toBe(202);
      await gateway.started;

      stack.served.gate.close();
      const ready = await fetch(`${stack.appUrl}/readyz`);
      expect(ready.status).toBe(503);
      expect(ready.headers.get('connection')).toBe('close');

      const shutdown = shutDownGracefully(stack.appServer, stack.served.relay, stack.served.gate, 10_000);
      setTimeout(() => gateway.release(), 300);
      expect(await shutdown).toBe('clean');
      const stoppedAt = Date.now();
      expect(gateway.finishedAt).toBeDefined();
      expect(gateway.finishedAt ?? Infinity).toBeLessThanOrEqual(stoppedAt);

      const sent = await fhir.read('Communication', pending.id ?? '');
      expect(sent.status).toBe('in-progress');
      expect(sent.identifier?.some((id) => id.system === IDENTIFIER_SYSTEMS.twilioMessageSid)).toBe(true);
      await expect(fetch(`${stack.appUrl}/healthz`)).rejects.toThrow();
    } finally {
      gateway.release();
      await stack.close();
    }
  });
});

describe("the practice's own template file", () => {
  test('when TEMPLATES_FILE is set, then its templates are served and an edit shows without a restart', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'templates.json');
    const templates = (text: string) =>
      JSON.stringify({ templates: [{ id: 'parking', title: { en: 'Parking' }, text: { en: text } }] });
    writeFileSync(file, templates('Park in lot B, {patientFirstName}.'));
    const stack = await startServedStack({ dataDir: tempDir(), relayEnv: { TEMPLATES_FILE: file } });
    try {
      const texts = async (): Promise<string[]> => {
        const response = await fetch(`${stack.appUrl}/api/templates`);
        expect(response.status).toBe(200);
        const body = (await response.json()) as { templates: { text: { en: string } }[] };
        return body.templates.map((template) => template.text.en);
      };
      expect(await texts()).toEqual(['Park in lot B, {patientFirstName}.']);
      writeFileSync(file, templates('Park in lot C, {patientFirstName}.'));
      // A later modification time than the first write, on file systems with coarse timestamps too.
      utimesSync(file, new Date(), new Date(Date.now() + 5_000));
      expect(await texts()).toEqual(['Park in lot C, {patientFirstName}.']);
      writeFileSync(file, '{ "templates": [');
      utimesSync(file, new Date(), new Date(Date.now() + 10_000));
      expect(await texts()).toEqual(['Park in lot C, {patientFirstName}.']);
    } finally {
      await stack.close();
    }
  });
});
