/**
 * The Express adapter for the simulated Twilio REST API, mounted at `<sandbox>/twilio`: HTTP Basic authentication
 * (account SID + auth token, or API key + secret; 20003 otherwise), the Messages and Media endpoints the relay uses,
 * Twilio's error bodies, and injected faults. Domain work happens in createMessage / listMessages.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { createOutboundMessage, type FormValue, type SendingAccount } from './createMessage';
import type { DeliveryScheduler } from './deliverMessage';
import type { FaultQueue } from './faults';
import { listMessages } from './listMessages';
import type { MessageLog } from './messageLog';
import type { MessageRecord } from './messageRecord';
import type { SampleImage } from './sampleImages';
import { TwilioApiError } from './twilioErrors';
import { API_VERSION, toMediaResource, toMessageResource } from './twilioResource';

export interface TwilioRoutesDeps {
  account: SendingAccount;
  /** username → password pairs that authenticate: the account SID and API key SIDs. */
  credentials: ReadonlyMap<string, string>;
  /** Twilio's "HTTP Basic Authentication for media access" setting. */
  mediaRequiresAuth: boolean;
  log: MessageLog;
  scheduler: DeliveryScheduler;
  faults: FaultQueue;
  samples: ReadonlyMap<string, SampleImage>;
}

const sameSecret = (given: string, expected: string): boolean => {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
};

/** Whether the request's Basic credentials match one of `credentials`. */
function isAuthenticated(req: Request, credentials: ReadonlyMap<string, string>): boolean {
  const header = req.get('authorization') ?? '';
  const match = /^Basic\s+(.+)$/i.exec(header);
  if (match?.[1] === undefined) return false;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon === -1) return false;
  const expected = credentials.get(decoded.slice(0, colon));
  return expected !== undefined && sameSecret(decoded.slice(colon + 1), expected);
}

const sendError = (res: Response, error: TwilioApiError): void => {
  if (error.status === 401) res.set('WWW-Authenticate', 'Basic realm="Twilio API"');
  res.status(error.status).json(error.toBody());
};

const notFound = (req: Request): TwilioApiError =>
  new TwilioApiError(
    20404,
    404,
    `The requested resource ${req.originalUrl.replace(/^\/twilio/, '').split('?')[0] ?? ''} was not found`,
  );

/** The REST router; mount it at `/twilio`. */
export function createTwilioRoutes(deps: TwilioRoutesDeps): Router {
  const router = express.Router();
  const accountPath = `/${API_VERSION}/Accounts/:accountSid`;
  const form = express.urlencoded({ extended: false, limit: '256kb', parameterLimit: 1000 });

  router.use((req, res, next) => {
    res.set('Twilio-Request-Id', 'RQ' + randomBytes(16).toString('hex'));
    next();
  });

  const authenticate = (req: Request, res: Response, next: NextFunction): void => {
    const isMediaContent = req.method === 'GET' && /\/Media\/ME[0-9a-f]{32}$/.test(req.path);
    if (isMediaContent && !deps.mediaRequiresAuth) return next();
    if (!isAuthenticated(req, deps.credentials)) return sendError(res, new TwilioApiError(20003));
    if (req.params.accountSid !== deps.account.accountSid) return sendError(res, new TwilioApiError(20003));
    next();
  };

  /** Applies an injected fault; true when the request is finished with. */
  const applyFault = (
    req: Request,
    res: Response,
    operation: 'create' | 'other',
  ): 'handled' | 'accept-then-drop' | undefined => {
    const fault = deps.faults.take(operation);
    if (fault === undefined) return undefined;
    switch (fault.kind) {
      case 'error':
        sendError(res, new TwilioApiError(fault.code, fault.status));
        return 'handled';
      case 'drop':
        req.socket.destroy();
        return 'handled';
      case 'accept-then-drop':
        if (operation === 'create') return 'accept-then-drop';
        req.socket.destroy();
        return 'handled';
    }
  };

  const messageOr404 = (req: Request): MessageRecord => {
    const message = deps.log.get(String(req.params.sid));
    if (message === undefined) throw notFound(req);
    return message;
  };

  router.post(`${accountPath}/Messages.json`, authenticate, form, (req, res) => {
    const fault = applyFault(req, res, 'create');
    if (fault === 'handled') return;
    const body = (req.body ?? {}) as Record<string, FormValue>;
    const message = createOutboundMessage(body, deps.account, deps.log);
    deps.scheduler.start(message);
    if (fault === 'accept-then-drop') {
      req.socket.destroy();
      return;
    }
    res.status(201).json(toMessageResource(message));
  });

  router.get(`${accountPath}/Messages.json`, authenticate, (req, res) => {
    if (applyFault(req, res, 'other') !== undefined) return;
    res.json(listMessages(deps.account.accountSid, deps.log.all(), req.query as Record<string, string | string[]>));
  });

  router.get(`${accountPath}/Messages/:sid.json`, authenticate, (req, res) => {
    if (applyFault(req, res, 'other') !== undefined) return;
    res.json(toMessageResource(messageOr404(req)));
  });

  router.get(`${accountPath}/Messages/:sid/Media.json`, authenticate, (req, res) => {
    if (applyFault(req, res, 'other') !== undefined) return;
    const message = messageOr404(req);
    const uri = `/${API_VERSION}/Accounts/${message.accountSid}/Messages/${message.sid}/Media.json?PageSize=50&Page=0`;
    res.json({
      first_page_uri: uri,
      end: Math.max(0, message.media.length - 1),
      previous_page_uri: null,
      media_list: message.media.map((media) => toMediaResource(message, media)),
      uri,
      page_size: 50,
      start: 0,
      next_page_uri: null,
      page: 0,
    });
  });

  router.get(`${accountPath}/Messages/:sid/Media/:mediaSid.json`, authenticate, (req, res) => {
    if (applyFault(req, res, 'other') !== undefined) return;
    const message = messageOr404(req);
    const media = message.media.find((candidate) => candidate.sid === req.params.mediaSid);
    if (media === undefined) throw notFound(req);
    res.json(toMediaResource(message, media));
  });

  // The media content itself (what MediaUrl{N} points at): bundled pictures are served; a sender's URL is redirected to.
  router.get(`${accountPath}/Messages/:sid/Media/:mediaSid`, authenticate, (req, res) => {
    const message = messageOr404(req);
    const media = message.media.find((candidate) => candidate.sid === req.params.mediaSid);
    if (media === undefined) throw notFound(req);
    if (media.source.kind === 'url') return res.redirect(302, media.source.url);
    const sample = deps.samples.get(media.source.name);
    if (sample === undefined) throw notFound(req);
    res.type(sample.contentType).set('Cache-Control', 'private, max-age=3600').send(sample.bytes);
  });

  router.use((req) => {
    throw notFound(req);
  });

  router.use((error: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(error);
    if (error instanceof TwilioApiError) return sendError(res, error);
    const status = (error as { status?: unknown }).status;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      // Body-parser refusals (too large, malformed): Twilio answers with a 4xx error body too.
      return sendError(res, new TwilioApiError(20001, status, 'The request body could not be read as a form'));
    }
    sendError(res, new TwilioApiError(20500));
  });

  return router;
}
