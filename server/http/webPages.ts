/**
 * Serves the built launch and client pages (Vite output in dist/web) on the relay's origin. Hashed assets are cached
 * for a year; the HTML pages are never cached, so a deploy takes effect on the next launch.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import express, { type Router } from 'express';

/** Where `npm run build` writes the pages. */
export const WEB_DIST_DIR = path.resolve('dist/web');

/** Static routes for /launch/, /client/ and /assets/; throws when the build is missing, naming the command. */
export function webPages(distDir: string = WEB_DIST_DIR): Router {
  for (const page of ['launch/index.html', 'client/index.html']) {
    if (!existsSync(path.join(distDir, page))) {
      throw new Error(`${path.join(distDir, page)} is missing: run npm run build first`);
    }
  }
  const router = express.Router();
  router.use(
    '/assets',
    express.static(path.join(distDir, 'assets'), { immutable: true, maxAge: '365d', fallthrough: false }),
  );
  router.get('/', (_req, res) => {
    res.redirect(302, '/launch/');
  });
  router.use(
    express.static(distDir, {
      index: 'index.html',
      setHeaders: (res, file) => {
        if (file.endsWith('.html')) res.setHeader('Cache-Control', 'no-store');
      },
    }),
  );
  return router;
}
