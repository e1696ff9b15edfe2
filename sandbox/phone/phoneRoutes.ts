/**
 * The Express adapter for the `/phone` page: the page, its assets, one thread as an HTML fragment, a Server-Sent
 * Events stream that names the phones whose thread changed, the sample pictures, and the reply form.
 * URLs carry opaque phone keys only, never a number, so request logs hold no phone numbers.
 */
import type { EventEmitter } from 'node:events';
import express, { type Request, type Response, type Router } from 'express';
import { renderPhonePage, renderThread, type PageModel } from './phonePage';
import { PHONE_CSS, PHONE_JS } from './phonePageAssets';
import type { SimulatedPhone } from './rosterPhones';

export interface PhoneRoutesDeps {
  model: PageModel;
  /** Emits `change` with the keys of phones whose thread changed. */
  changes: EventEmitter<{ change: [string[]] }>;
  /** Sends a text from a phone; resolves with a sentence for the person at the page and whether it was accepted. */
  sendFromPhone: (
    phone: SimulatedPhone,
    text: string,
    picture: string | undefined,
  ) => Promise<{ ok: boolean; text: string }>;
  /** The sandbox origin: form posts from elsewhere are refused. */
  publicOrigin: string;
}

const HEARTBEAT_MS = 25_000;

const field = (body: unknown, name: string): string | undefined => {
  const value = (body as Record<string, unknown> | undefined)?.[name];
  const single = Array.isArray(value) ? (value[0] as unknown) : value;
  return typeof single === 'string' ? single : undefined;
};

const wantsJson = (req: Request): boolean => req.accepts(['html', 'json']) === 'json';

/** The page router (mount it at `/phone`) and a way to end open event streams at shutdown. */
export function createPhoneRoutes(deps: PhoneRoutesDeps): { router: Router; closeStreams: () => void } {
  const router = express.Router();
  const streams = new Set<Response>();
  const byKey = new Map(deps.model.phones.map((phone) => [phone.key, phone]));
  const form = express.urlencoded({ extended: false, limit: '16kb' });

  router.get('/', (_req, res) => {
    res.type('html').set('Cache-Control', 'no-store').send(renderPhonePage(deps.model));
  });
  router.get('/phone.css', (_req, res) => {
    res.type('css').send(PHONE_CSS);
  });
  router.get('/phone.js', (_req, res) => {
    res.type('js').send(PHONE_JS);
  });

  router.get('/thread/:key', (req, res) => {
    const phone = byKey.get(req.params.key);
    if (phone === undefined) {
      res.status(404).type('text').send('No such phone');
      return;
    }
    res
      .type('html')
      .set('Cache-Control', 'no-store')
      .set('X-Opted-Out', String(deps.model.optedOut(phone)))
      .send(renderThread(phone, deps.model));
  });

  router.get('/samples/:name', (req, res) => {
    const sample = deps.model.samples.get(req.params.name);
    if (sample === undefined) {
      res.status(404).type('text').send('No such picture');
      return;
    }
    res.type(sample.contentType).set('Cache-Control', 'public, max-age=86400').send(sample.bytes);
  });

  router.get('/events', (req, res) => {
    res.writeHead(200, {
      'Content-Type': 'text/event-stream',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
    });
    res.write(': connected\n\n');
    const onChange = (keys: string[]): void => {
      res.write(`event: change\ndata: ${JSON.stringify({ keys })}\n\n`);
    };
    const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), HEARTBEAT_MS);
    deps.changes.on('change', onChange);
    streams.add(res);
    res.on('close', () => {
      clearInterval(heartbeat);
      deps.changes.off('change', onChange);
      streams.delete(res);
    });
  });

  router.post('/send', form, async (req, res) => {
    const origin = req.get('origin');
    if (origin !== undefined && origin !== deps.publicOrigin) {
      res.status(403).json({ ok: false, text: 'Texts can only be sent from the phone page itself.' });
      return;
    }
    const phone = byKey.get(field(req.body, 'phone') ?? '');
    const text = field(req.body, 'keyword') ?? field(req.body, 'body') ?? '';
    const picture = field(req.body, 'picture') || undefined;
    let outcome: { ok: boolean; text: string };
    if (phone === undefined) {
      outcome = { ok: false, text: 'That phone is not on this page.' };
    } else {
      try {
        outcome = await deps.sendFromPhone(phone, text, picture);
      } catch (error) {
        outcome = { ok: false, text: error instanceof Error ? error.message : 'The text could not be sent.' };
      }
    }
    if (wantsJson(req)) {
      res.status(outcome.ok ? 200 : 400).json(outcome);
    } else {
      res.redirect(303, `/phone${phone === undefined ? '' : `#${phone.key}`}`);
    }
  });

  return {
    router,
    closeStreams: () => {
      for (const stream of streams) stream.end();
    },
  };
}
