import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { limitWebhookFailures } from './webhookFailureLimit';

let clock = 0;
let server: Server;
let origin: string;

beforeAll(async () => {
  const app = express();
  app.set('trust proxy', 1);
  app.use(
    limitWebhookFailures({ prefix: '/twilio/', maxFailures: 3, windowMs: 60_000, maxTracked: 2, now: () => clock }),
  );
  app.post('/twilio/status', (req, res) => {
    res.status(req.get('x-outcome') === 'ok' ? 204 : 403).end();
  });
  app.post('/api/other', (_req, res) => {
    res.status(403).end();
  });
  server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const post = async (from: string, outcome: 'ok' | 'bad', path = '/twilio/status'): Promise<number> =>
  (await fetch(`${origin}${path}`, { method: 'POST', headers: { 'x-forwarded-for': from, 'x-outcome': outcome } }))
    .status;

describe('limitWebhookFailures', () => {
  test('when an address sends valid webhooks, then it is never limited however many it sends', async () => {
    for (let i = 0; i < 10; i += 1) expect(await post('198.51.100.1', 'ok')).toBe(204);
  });

  test('when an address passes the limit of rejected requests, then it gets 429 until the window ends', async () => {
    clock = 0;
    for (let i = 0; i < 3; i += 1) expect(await post('198.51.100.2', 'bad')).toBe(403);
    expect(await post('198.51.100.2', 'bad')).toBe(429);
    expect(await post('198.51.100.2', 'ok')).toBe(429);
    expect(await post('198.51.100.3', 'ok')).toBe(204);
    clock = 60_000;
    expect(await post('198.51.100.2', 'ok')).toBe(204);
  });

  test('when requests fail outside the guarded prefix, then they do not count', async () => {
    clock = 120_000;
    for (let i = 0; i < 5; i += 1) expect(await post('198.51.100.4', 'bad', '/api/other')).toBe(403);
    expect(await post('198.51.100.4', 'ok')).toBe(204);
  });

  test('when more addresses fail than it tracks, then memory stays bounded and the limit still applies', async () => {
    clock = 180_000;
    for (const address of ['192.0.2.1', '192.0.2.2', '192.0.2.3']) expect(await post(address, 'bad')).toBe(403);
    for (let i = 0; i < 3; i += 1) await post('192.0.2.9', 'bad');
    expect(await post('192.0.2.9', 'bad')).toBe(429);
  });
});
