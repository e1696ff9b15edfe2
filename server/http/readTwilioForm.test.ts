import { AsyncLocalStorage } from 'node:async_hooks';
import type { AddressInfo } from 'node:net';
import express from 'express';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { errorHandler } from './errorHandler';
import { parseForm, readTwilioForm } from './readTwilioForm';

describe('parseForm', () => {
  test.each<[string, Record<string, string | string[]>]>([
    ['', {}],
    ['From=%2B12015550123&Body=Hi+there', { From: '+12015550123', Body: 'Hi there' }],
    ['Body=%C2%BFQu%C3%A9%3F+%F0%9F%98%80', { Body: '¿Qué? 😀' }],
    ['A=1&A=2&A=3', { A: ['1', '2', '3'] }],
    ['Empty=&Flag', { Empty: '', Flag: '' }],
  ])('%j reads as body-parser reads it', (text, expected) => {
    const form = parseForm(text, 200);
    expect(Object.getPrototypeOf(form)).toBeNull();
    expect({ ...form }).toEqual({ ...expected });
  });

  test('when a field is named __proto__, then it is a plain field and no prototype changes', () => {
    const form = parseForm('__proto__=x&constructor=y', 200);
    expect(Object.getOwnPropertyDescriptor(form, '__proto__')?.value).toBe('x');
    expect(form.constructor).toBe('y');
    expect(({} as Record<string, unknown>).constructor).toBe(Object);
  });

  test('when a form has more fields than the limit, then it is refused as body-parser refuses it', () => {
    expect(() => parseForm('a=1&b=2&c=3', 2)).toThrow(
      expect.objectContaining({ status: 413, type: 'parameters.too.many' }),
    );
  });
});

describe('readTwilioForm', () => {
  let base = '';
  let close: () => void = () => undefined;
  const context = new AsyncLocalStorage<string>();
  beforeAll(async () => {
    const app = express();
    app.use((_req, _res, next) => context.run('request context', next));
    app.post('/context', readTwilioForm({ limitBytes: 1024, parameterLimit: 5 }), (_req, res) => {
      res.json({ context: context.getStore() ?? null });
    });
    app.post('/form', readTwilioForm({ limitBytes: 1024, parameterLimit: 5 }), (req, res) => {
      res.json({ body: (req.body as unknown) ?? null });
    });
    app.use(errorHandler(pino({ level: 'silent' })));
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    close = () => server.close();
  });
  afterAll(() => close());

  const post = (body: string, contentType = 'application/x-www-form-urlencoded'): Promise<Response> =>
    fetch(`${base}/form`, { method: 'POST', headers: { 'content-type': contentType }, body });

  test('when Twilio posts its form, then the route gets the fields', async () => {
    const response = await post('MessageSid=SM1&From=%2B12015550123&Body=Hi+there');
    expect(await response.json()).toEqual({ body: { MessageSid: 'SM1', From: '+12015550123', Body: 'Hi there' } });
  });

  test('when the form says charset=utf-8, then it is read; another charset is refused with a reason', async () => {
    const utf8 = await post('Body=%C3%A9', 'application/x-www-form-urlencoded; charset=UTF-8');
    expect(await utf8.json()).toEqual({ body: { Body: 'é' } });
    const latin1 = await post('Body=%E9', 'application/x-www-form-urlencoded; charset=ISO-8859-1');
    expect(latin1.status).toBe(400);
    expect(JSON.stringify(await latin1.json())).toContain('UTF-8');
  });

  test('when the body is over the limit, then 413 says it is too large', async () => {
    const response = await post(`Body=${'x'.repeat(2000)}`);
    expect(response.status).toBe(413);
    expect(JSON.stringify(await response.json())).toContain('too large');
  });

  test('when the form has too many fields, then 413 says so', async () => {
    const response = await post('a=1&b=2&c=3&d=4&e=5&f=6');
    expect(response.status).toBe(413);
    expect(JSON.stringify(await response.json())).toContain('too many fields');
  });

  test('when the form has been read, then the route still runs in the request async context', async () => {
    const response = await fetch(`${base}/context`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ Body: 'x' }),
    });
    expect(await response.json()).toEqual({ context: 'request context' });
  });

  test('when the body is JSON, then the form is left unread', async () => {
    const response = await post('{"Body":"x"}', 'application/json');
    expect(await response.json()).toEqual({ body: null });
  });
});
