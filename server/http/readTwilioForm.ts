/**
 * Reads the small UTF-8 form Twilio posts to a webhook (application/x-www-form-urlencoded) into `req.body`, as
 * express.urlencoded({ extended: false }) does, in a fraction of its time: no charset conversion, no nested-key
 * parser, one string decoded once (docs/decisions/096-inbound-relay-overhead.md). Failures carry body-parser's error
 * `type`s, so the error handler answers them the same way (413 too large or too many fields, 415 other charsets).
 * https://www.twilio.com/docs/usage/webhooks/webhooks-overview#webhook-http-requests
 */
import { AsyncResource } from 'node:async_hooks';
import type { RequestHandler } from 'express';

/** An error shaped like body-parser's (`status`, `type`), which errorHandler maps to an OperationOutcome. */
class FormError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

const FORM_TYPE = /^application\/x-www-form-urlencoded\s*(;|$)/i;
const CHARSET = /;\s*charset\s*=\s*"?([^";\s]+)"?/i;

/** The form's fields; a name sent twice gets both values, in order (as body-parser gives them). */
export function parseForm(text: string, parameterLimit: number): Record<string, string | string[]> {
  const form: Record<string, string | string[]> = Object.create(null) as Record<string, string | string[]>;
  if (text.length === 0) return form;
  let count = 0;
  for (const [name, value] of new URLSearchParams(text)) {
    if (++count > parameterLimit) throw new FormError(413, 'parameters.too.many', 'too many parameters');
    const earlier = form[name];
    form[name] = earlier === undefined ? value : Array.isArray(earlier) ? [...earlier, value] : [earlier, value];
  }
  return form;
}

/** Middleware reading a Twilio webhook's form; other content types leave `req.body` unset (the signature fails). */
export function readTwilioForm(options: { limitBytes: number; parameterLimit: number }): RequestHandler {
  return (req, _res, next) => {
    const type = req.headers['content-type'] ?? '';
    const hasBody = req.headers['content-length'] !== undefined || req.headers['transfer-encoding'] !== undefined;
    if (!FORM_TYPE.test(type) || !hasBody || req.readableEnded) {
      next();
      return;
    }
    const charset = CHARSET.exec(type)?.[1]?.toLowerCase() ?? 'utf-8';
    const encoding = (req.headers['content-encoding'] ?? 'identity').toLowerCase();
    let failure: FormError | undefined;
    if (charset !== 'utf-8' && charset !== 'utf8') {
      failure = new FormError(415, 'charset.unsupported', `unsupported charset "${charset.toUpperCase()}"`);
    } else if (encoding !== 'identity') {
      failure = new FormError(415, 'encoding.unsupported', `unsupported content encoding "${encoding}"`);
    } else if (Number(req.headers['content-length'] ?? 0) > options.limitBytes) {
      failure = new FormError(413, 'entity.too.large', 'request entity too large');
    }
    if (failure) {
      // What is refused is drained unread, so the answer can go out on the same connection.
      req.resume();
      next(failure);
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    // Run in the request's async context (as body-parser does): what comes after the form keeps it.
    const context = new AsyncResource('ChartTextTwilioForm');
    const finish = (err?: FormError): void => {
      context.runInAsyncScope(done, undefined, err);
    };
    const done = (err?: FormError): void => {
      if (settled) return;
      settled = true;
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      if (err) {
        req.resume();
        next(err);
        return;
      }
      try {
        req.body = parseForm(Buffer.concat(chunks, size).toString('utf8'), options.parameterLimit);
        next();
      } catch (parseError) {
        next(parseError);
      }
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > options.limitBytes) finish(new FormError(413, 'entity.too.large', 'request entity too large'));
      else chunks.push(chunk);
    };
    const onEnd = (): void => finish();
    const onError = (): void => finish(new FormError(400, 'request.aborted', 'request aborted'));
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
  };
}
