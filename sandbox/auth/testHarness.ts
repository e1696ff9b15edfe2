/**
 * Test support: the authorization server on a real HTTP server (127.0.0.1, port 0) with the SMART discovery document
 * where the FHIR server would serve it, and a small browser stand-in (cookie jar, manual redirects).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express, { type Express } from 'express';
import type { SandboxClient } from './clients';
import { createAuthServer, type AuthServer } from './createAuthServer';

/** A running authorization server and the URLs around it. */
export interface AuthHarness {
  origin: string;
  issuer: string;
  fhirBaseUrl: string;
  tokenEndpoint: string;
  auth: AuthServer;
  app: Express;
  dataDir: string;
  /** Stops the server and the auth server (and removes the data folder unless it was given). */
  close(): Promise<void>;
}

/** How to start the harness. */
export interface AuthHarnessOptions {
  /** Clients for the sandbox origin (default: the server's own defaults). */
  clients?: (origin: string) => SandboxClient[];
  /** Reuse a data folder (restart tests); a fresh temporary one otherwise. */
  dataDir?: string;
  /** Listen on this port (restart tests keep their URLs); a free one otherwise. */
  port?: number;
  /** Extra routes on the same origin (an app under test, a JWKS endpoint, the EHR simulator). */
  mount?: (app: Express, origin: string, auth: AuthServer) => void;
}

/** Starts the authorization server on 127.0.0.1 with a free port. */
export async function startAuthHarness(options: AuthHarnessOptions = {}): Promise<AuthHarness> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'charttext-auth-'));
  const auth = createAuthServer({
    issuer: `${origin}/auth`,
    fhirBaseUrl: `${origin}/fhir`,
    dataDir,
    ...(options.clients ? { clients: options.clients(origin) } : {}),
  });
  const app = express();
  // One request per connection: a server restarted on the same port never meets a client's stale pooled socket.
  app.use((_req, res, next) => {
    res.setHeader('Connection', 'close');
    next();
  });
  app.use('/auth', auth.router);
  // Stands in for the FHIR server, which serves the discovery document at its base.
  app.get('/fhir/.well-known/smart-configuration', (_req, res) => {
    res.json(auth.smartConfiguration());
  });
  options.mount?.(app, origin, auth);
  server.on('request', app);
  return {
    origin,
    issuer: auth.issuer,
    fhirBaseUrl: auth.fhirBaseUrl,
    tokenEndpoint: `${auth.issuer}/token`,
    auth,
    app,
    dataDir,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await auth.close();
      if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Cookies by name, as a browser would send them back (path and expiry ignored: enough for one origin). */
export class CookieJar {
  readonly #cookies = new Map<string, string>();

  /** Remembers the Set-Cookie headers of a response. */
  store(response: Response): void {
    for (const header of response.headers.getSetCookie()) {
      const [pair = ''] = header.split(';');
      const separator = pair.indexOf('=');
      const name = pair.slice(0, separator).trim();
      const value = pair.slice(separator + 1).trim();
      const expired = /expires=Thu, 01 Jan 1970/i.test(header) || value === '';
      if (expired) this.#cookies.delete(name);
      else this.#cookies.set(name, value);
    }
  }

  /** The Cookie header to send. */
  header(): string {
    return [...this.#cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }
}

/** A page a browser ended up on. */
export interface Landing {
  url: URL;
  response: Response;
}

/**
 * Requests `url` and follows redirects like a browser (at most `maxHops`), stopping early at a URL for which `stop`
 * returns true (an app's redirect URI, say) without requesting it.
 */
export async function browse(
  url: string,
  jar: CookieJar,
  options: { init?: RequestInit; stop?: (url: URL) => boolean; maxHops?: number } = {},
): Promise<Landing> {
  let current = new URL(url);
  let init: RequestInit = options.init ?? {};
  for (let hop = 0; hop <= (options.maxHops ?? 10); hop += 1) {
    const headers = new Headers(init.headers);
    if (jar.header()) headers.set('cookie', jar.header());
    const response = await fetch(current, { ...init, headers, redirect: 'manual' });
    jar.store(response);
    const location = response.headers.get('location');
    if (response.status < 300 || response.status >= 400 || !location) return { url: current, response };
    await response.arrayBuffer();
    current = new URL(location, current);
    if (options.stop?.(current)) return { url: current, response };
    init = {};
  }
  throw new Error(`more than ${options.maxHops ?? 10} redirects from ${url}`);
}
