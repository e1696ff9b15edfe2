/**
 * One JSON line per HTTP request with a request id — the caller's `X-Request-Id` when it looks like one, otherwise a
 * new UUID, echoed back — the method, the path without its query, the status and the time taken. Headers and bodies
 * are not logged: webhooks carry phone numbers and message text.
 *
 * Written here rather than with pino-http, which builds two child loggers per request (their bindings serialised
 * through the redaction) whether or not the line is then written: about a tenth of a millisecond of every inbound
 * webhook (docs/decisions/096-inbound-relay-overhead.md). The line keeps pino-http's shape.
 */
import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';
import type { Logger } from 'pino';

const REQUEST_ID = /^[A-Za-z0-9._-]{8,128}$/;

/** The request logger middleware. */
export function requestLog(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const given = req.headers['x-request-id'];
    const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    res.setHeader('X-Request-Id', id);
    const start = performance.now();
    // The path as it came in (before any router trimmed its mount point), without the query.
    const path = req.originalUrl.split('?')[0];
    const done = (): void => {
      res.off('finish', done);
      res.off('close', done);
      const aborted = !res.writableFinished;
      const level = aborted || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info';
      if (!logger.isLevelEnabled(level)) return;
      logger[level](
        {
          req: { id, method: req.method, path },
          res: { statusCode: res.statusCode },
          responseTime: Math.round(performance.now() - start),
        },
        aborted ? 'request aborted' : res.statusCode >= 500 ? 'request errored' : 'request completed',
      );
    };
    res.on('finish', done);
    res.on('close', done);
    next();
  };
}
