import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import express from 'express';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { requestLog } from './requestLog';

const lines: Record<string, unknown>[] = [];
const sink = new Writable({
  write(chunk: Buffer, _encoding, callback) {
    lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
    callback();
  },
});
let base = '';
let close: () => void = () => undefined;

beforeAll(async () => {
  const app = express();
  app.use(requestLog(pino({ level: 'info' }, sink)));
  app.post('/twilio/inbound', express.urlencoded({ extended: false }), (_req, res) => {
    res.status(200).end('<Response/>');
  });
  app.get('/broken', (_req, res) => {
    res.status(503).end();
  });
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  close = () => server.close();
});
afterAll(() => close());

const lastLine = async (): Promise<Record<string, unknown>> => {
  for (let i = 0; i < 50 && lines.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
  const line = lines.pop();
  lines.length = 0;
  return line ?? {};
};

describe('requestLog', () => {
  test('when a webhook is answered, then one line names method, path, status and time, and no number or text', async () => {
    const response = await fetch(`${base}/twilio/inbound?c=abc`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ From: '+12015550123', Body: 'My chest hurts' }),
    });
    expect(response.status).toBe(200);
    const id = response.headers.get('x-request-id') ?? '';
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const line = await lastLine();
    expect(line).toMatchObject({
      level: 30,
      msg: 'request completed',
      req: { id, method: 'POST', path: '/twilio/inbound' },
      res: { statusCode: 200 },
    });
    expect(typeof line.responseTime).toBe('number');
    expect(JSON.stringify(line)).not.toMatch(/2015550123|chest|c=abc/);
  });

  test('when the caller sends a usable X-Request-Id, then it is echoed and logged; a server error logs at error', async () => {
    const response = await fetch(`${base}/broken`, { headers: { 'x-request-id': 'trace-1234abcd' } });
    expect(response.headers.get('x-request-id')).toBe('trace-1234abcd');
    expect(await lastLine()).toMatchObject({ level: 50, msg: 'request errored', req: { id: 'trace-1234abcd' } });
  });

  test('when the caller sends an unusable X-Request-Id, then a new one is made', async () => {
    const response = await fetch(`${base}/broken`, { headers: { 'x-request-id': 'bad id with spaces' } });
    expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    await lastLine();
  });
});
