/**
 * `/healthz`: the process is up. `/readyz`: it can do its work — the EHR answers a search, a backend-services token
 * can be obtained, Twilio is configured. Each check is bounded in time; the answer names checks, never secrets.
 */
import express, { type Router } from 'express';

export type ReadinessCheck = () => Promise<void>;

async function run(check: ReadinessCheck, timeoutMs: number): Promise<'pass' | 'fail'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'fail'>((resolve) => {
    timer = setTimeout(() => resolve('fail'), timeoutMs);
  });
  try {
    return await Promise.race([
      check().then(
        (): 'pass' => 'pass',
        (): 'fail' => 'fail',
      ),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** The health routes with named readiness checks. */
export function healthRoutes(checks: Record<string, ReadinessCheck>, timeoutMs = 5_000): Router {
  const router = express.Router();
  router.get('/healthz', (_req, res) => {
    res.set('Cache-Control', 'no-store').json({ status: 'pass' });
  });
  router.get('/readyz', async (_req, res) => {
    const names = Object.keys(checks);
    const results = await Promise.all(names.map((name) => run(checks[name] as ReadinessCheck, timeoutMs)));
    const detail = Object.fromEntries(names.map((name, i) => [name, results[i]]));
    const ready = results.every((result) => result === 'pass');
    res
      .status(ready ? 200 : 503)
      .set('Cache-Control', 'no-store')
      .json({ status: ready ? 'pass' : 'fail', checks: detail });
  });
  return router;
}
