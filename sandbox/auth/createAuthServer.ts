/**
 * The sandbox SMART authorization server: oidc-provider behind an Express router (mounted at the issuer path,
 * `/auth`), plus what the rest of the sandbox needs from it: the discovery document for the FHIR server, access-token
 * verification for scope enforcement, and launch creation for the EHR simulator.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import express, { type Router } from 'express';
import Provider from 'oidc-provider';
import { sandboxClients, type SandboxClient } from './clients';
import { adaptAuthorizeRequest } from './authorizeRequest';
import { fileAdapterFactory } from './fileAdapter';
import { FileStore } from './fileStore';
import type { VerifyAccessToken } from './grant';
import { interactionRouter } from './interactions';
import { LaunchStore, type LaunchContext } from './launchContext';
import { LIFETIMES, providerConfiguration } from './providerConfiguration';
import { loadOrCreateSecrets } from './signingKeys';
import { AUTH_ROUTES, buildSmartConfiguration } from './smartConfiguration';
import { smartTokenResponse } from './tokenResponse';
import { accessTokenVerifier } from './verifyAccessToken';

/** Default issuer: the sandbox origin's `/auth`. */
export const DEFAULT_ISSUER = 'http://127.0.0.1:3001/auth';
/** Default FHIR base, the only accepted `aud`. */
export const DEFAULT_FHIR_BASE_URL = 'http://127.0.0.1:3001/fhir';

/** How to build the authorization server. */
export interface AuthServerOptions {
  /** Issuer URL; the router must be mounted at its path (default http://127.0.0.1:3001/auth). */
  issuer?: string;
  /** The FHIR server's base URL: the only `aud` accepted and the audience of every token (default …:3001/fhir). */
  fhirBaseUrl?: string;
  /** Folder for signing keys, tokens, grants and launches (e.g. `.data/auth`); created when missing. */
  dataDir: string;
  /** The registered clients (default: `sandboxClients()` for the issuer's origin). */
  clients?: readonly SandboxClient[];
  /** More clients on top of `clients` (tests). */
  extraClients?: readonly SandboxClient[];
  /** Default SMART style document for launches (default: `<issuer origin>/ehr/smart-style.json`). */
  styleUrl?: string;
}

/** The running authorization server. */
export interface AuthServer {
  /** Express router to mount at the issuer's path (`/auth`). */
  router: Router;
  issuer: string;
  fhirBaseUrl: string;
  /** The document the FHIR server serves at `<fhir base>/.well-known/smart-configuration`. */
  smartConfiguration(): Record<string, unknown>;
  /** Resolves a bearer token to its Grant; undefined for unknown, expired or revoked tokens. */
  verifyAccessToken: VerifyAccessToken;
  /** Records an EHR launch (user and optional patient) and returns the opaque, single-use `launch` value (5 min). */
  createLaunch(context: LaunchContext): string;
  /** The context behind a `launch` value, or undefined when unknown, used or expired. */
  readLaunch(launch: string): LaunchContext | undefined;
  /** Records a chart the EHR simulator shows (a clinic day) and returns its id; see LaunchStore.openChart. */
  openChart(context: LaunchContext): string;
  /** The context of an open chart, or undefined when unknown or expired. */
  readChart(chart: string): LaunchContext | undefined;
  /** Saves pending state to the data folder. */
  close(): Promise<void>;
}

const withoutTrailingSlash = (url: string): string => url.replace(/\/+$/, '');

/** Creates the sandbox SMART authorization server. */
export function createAuthServer(options: AuthServerOptions): AuthServer {
  const issuer = withoutTrailingSlash(options.issuer ?? DEFAULT_ISSUER);
  const fhirBaseUrl = withoutTrailingSlash(options.fhirBaseUrl ?? DEFAULT_FHIR_BASE_URL);
  const origin = new URL(issuer).origin;
  const styleUrl = options.styleUrl ?? `${origin}/ehr/smart-style.json`;
  const clients = [...(options.clients ?? sandboxClients({ sandboxOrigin: origin })), ...(options.extraClients ?? [])];

  mkdirSync(options.dataDir, { recursive: true });
  const store = new FileStore(join(options.dataDir, 'store.json'));
  const launches = new LaunchStore(store);
  const provider = new Provider(
    issuer,
    providerConfiguration({
      issuer,
      fhirBaseUrl,
      clients,
      secrets: loadOrCreateSecrets(options.dataDir),
      launches,
      adapter: fileAdapterFactory(store),
    }),
  );
  // Trust X-Forwarded-* so URLs stay right if the sandbox is put behind a proxy.
  provider.proxy = true;
  provider.use(smartTokenResponse(provider, launches));

  const router = express.Router();
  router.use(
    interactionRouter({
      provider,
      launches,
      fhirBaseUrl,
      defaultStyleUrl: styleUrl,
      grantTtlSeconds: LIFETIMES.Grant,
      client: (clientId) => clients.find((client) => client.clientId === clientId),
    }),
  );
  router.use(adaptAuthorizeRequest(AUTH_ROUTES.authorization));
  router.use(provider.callback());

  return {
    router,
    issuer,
    fhirBaseUrl,
    smartConfiguration: () => buildSmartConfiguration(issuer),
    verifyAccessToken: accessTokenVerifier(provider, fhirBaseUrl),
    createLaunch: (context) => launches.createLaunch(context),
    readLaunch: (launch) => launches.readLaunch(launch),
    openChart: (context) => launches.openChart(context),
    readChart: (chart) => launches.readChart(chart),
    close: () => store.close(),
  };
}
