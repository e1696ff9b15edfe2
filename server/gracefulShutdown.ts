/**
 * Stopping ChartText without losing work: on SIGTERM the origin first says it is not ready (`/readyz` 503, so a load
 * balancer stops sending), stops accepting connections, lets the requests in flight finish (a webhook being filed),
 * then stops the relay, which waits for the send in flight to be recorded. Anything still open after the grace
 * period is cut. A send cut short is safe: its claim expires and reconciliation resolves it from Twilio's log.
 */
import type { Server } from 'node:http';
import type { RequestHandler } from 'express';
import type { RelayApp } from './app';

/** Seconds the whole shutdown may take; under Kubernetes' default 30-second grace period. */
export const SHUTDOWN_GRACE_MS = 25_000;

export interface ShutdownGate {
  /** Put first: while closing, `/readyz` answers 503 and every response closes its connection. */
  middleware: RequestHandler;
  close(): void;
  readonly closing: boolean;
}

/** The gate that turns readiness off during shutdown. */
export function createShutdownGate(): ShutdownGate {
  let closing = false;
  return {
    middleware: (req, res, next) => {
      if (!closing) return next();
      res.set('Connection', 'close');
      if (req.path === '/readyz') {
        res
          .status(503)
          .set('Cache-Control', 'no-store')
          .json({ status: 'fail', checks: { shutdown: 'fail' } });
        return;
      }
      next();
    },
    close() {
      closing = true;
    },
    get closing() {
      return closing;
    },
  };
}

/** Shuts `server` and `relay` down in order (see above); resolves when both are done or the grace period ran out. */
export async function shutDownGracefully(
  server: Server,
  relay: Pick<RelayApp, 'stop'>,
  gate: ShutdownGate,
  graceMs: number = SHUTDOWN_GRACE_MS,
): Promise<'clean' | 'timed-out'> {
  gate.close();
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<'timed-out'>((resolve) => {
    timer = setTimeout(() => resolve('timed-out'), graceMs);
  });
  const work = (async (): Promise<'clean'> => {
    await closed; // requests in flight (a webhook being filed) finish first
    await relay.stop(); // then the sweep stops and the send in flight is recorded
    return 'clean';
  })();
  const outcome = await Promise.race([work, deadline]);
  clearTimeout(timer);
  if (outcome === 'timed-out') server.closeAllConnections();
  return outcome;
}
