/**
 * A stand-in for the relay's webhook endpoints, for tests of the phone simulator: a real HTTP server on loopback
 * that records every webhook, checks its X-Twilio-Signature with the twilio SDK's `validateRequest`, and answers as
 * a test tells it to (200 with empty TwiML by default).
 */
import type { AddressInfo } from 'node:net';
import express from 'express';
import twilio from 'twilio';

export interface ReceivedWebhook {
  path: string;
  params: Record<string, string>;
  signatureValid: boolean;
  idempotencyToken: string | undefined;
}

export interface FakeReply {
  status: number;
  body?: string;
  contentType?: string;
}

export interface FakeRelay {
  origin: string;
  /** Absolute URL of a path on this server, e.g. `url('/twilio/status')`. */
  url(path: string): string;
  received: ReceivedWebhook[];
  /** Sets the answer for a path (replaces the default 200 empty TwiML). */
  answer(path: string, reply: FakeReply | ((webhook: ReceivedWebhook) => FakeReply)): void;
  /** Resolves with the webhooks received once `count` match `predicate`. */
  waitFor(
    predicate: (webhook: ReceivedWebhook) => boolean,
    count?: number,
    timeoutMs?: number,
  ): Promise<ReceivedWebhook[]>;
  close(): Promise<void>;
}

const EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>';

/** Starts a fake relay that validates signatures with `authToken`. */
export async function startFakeRelay(authToken: string): Promise<FakeRelay> {
  const app = express();
  const received: ReceivedWebhook[] = [];
  const answers = new Map<string, FakeReply | ((webhook: ReceivedWebhook) => FakeReply)>();
  const waiters = new Set<() => void>();
  let origin = '';

  app.post('/{*path}', express.urlencoded({ extended: false }), (req, res) => {
    const params = req.body as Record<string, string>;
    const webhook: ReceivedWebhook = {
      path: req.path,
      params,
      signatureValid: twilio.validateRequest(
        authToken,
        req.get('x-twilio-signature') ?? '',
        origin + req.originalUrl,
        params,
      ),
      idempotencyToken: req.get('i-twilio-idempotency-token'),
    };
    received.push(webhook);
    for (const wake of waiters) wake();
    const configured = answers.get(req.path);
    const reply = typeof configured === 'function' ? configured(webhook) : configured;
    res
      .status(reply?.status ?? 200)
      .type(reply?.contentType ?? 'text/xml')
      .send(reply?.body ?? EMPTY_TWIML);
  });

  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    origin,
    url: (path) => origin + path,
    received,
    answer: (path, reply) => answers.set(path, reply),
    waitFor(predicate, count = 1, timeoutMs = 5_000) {
      return new Promise((resolve, reject) => {
        const check = (): boolean => {
          const matching = received.filter(predicate);
          if (matching.length < count) return false;
          clearTimeout(timer);
          waiters.delete(wake);
          resolve(matching);
          return true;
        };
        const wake = (): void => void check();
        const timer = setTimeout(() => {
          waiters.delete(wake);
          reject(new Error(`The fake relay got ${received.filter(predicate).length} of ${count} expected webhooks`));
        }, timeoutMs);
        if (!check()) waiters.add(wake);
      });
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
