/**
 * The sandbox FHIR R4 server as an Express router (mounted at `/fhir`): an adapter only. It parses HTTP, checks the
 * bearer token, hands a FhirRequest and the request's ScopedRepository to SandboxFhirRouter, and maps the
 * [OperationOutcome, resource] result back to HTTP with FHIR's headers. Errors are OperationOutcomes, mapped to a
 * status in one place (statusOf).
 */
import type { FhirRequest, HttpMethod } from '@medplum/fhir-router';
import type { Bundle, OperationOutcome, Resource } from '@medplum/fhirtypes';
import { normalizeOperationOutcome, OperationOutcomeError } from '@medplum/core';
import express from 'express';
import type { NextFunction, Request, Response, Router } from 'express';
import type { VerifyAccessToken } from '../auth/grant';
import { outcomes, statusOf } from '../store/outcomes';
import type { SandboxRepository } from '../store/SandboxRepository';
import { wasCreated } from '../store/SandboxRepository';
import { capabilityStatement } from './capabilityStatement';
import {
  authenticate,
  FhirHttpError,
  negotiate,
  preferReturn,
  readBody,
  sendBytes,
  sendError,
  sendFhir,
  setVersionHeaders,
  wantsFhirJson,
} from './httpExchange';
import { loadFhirDefinitions } from './requiredBindings';
import { SandboxFhirRouter } from './SandboxFhirRouter';
import { ScopeAccess } from './scopeAccess';
import { ScopedRepository } from './ScopedRepository';
import { fullUrlOf } from './searchBundle';
import type { ValidateHook } from './validateWrite';

export interface FhirRouterOptions {
  /** Public FHIR base URL, e.g. http://127.0.0.1:3001/fhir: used in fullUrl, links and Location. */
  baseUrl: string;
  /** The store from openStore(). */
  store: SandboxRepository;
  /** When given, every request but metadata and discovery needs a bearer token, and its scopes are enforced. */
  verifyAccessToken?: VerifyAccessToken;
  /** The SMART discovery document, served at `.well-known/smart-configuration` without auth. */
  smartConfiguration?: () => unknown;
  /** Extra validation of written resources (profiles); an error issue answers 422. */
  validate?: ValidateHook;
  /** Largest request body accepted, in bytes (default 8 MiB; a base64 MMS in JSON needs ~1.4× its size). */
  maxBodyBytes?: number;
  /** Origins allowed to call from a browser (default: any; the sandbox listens on loopback). */
  corsOrigins?: '*' | readonly string[];
}

const CORS_EXPOSED = 'ETag, Location, Last-Modified, Content-Location, WWW-Authenticate';
const CORS_ALLOWED_HEADERS =
  'Authorization, Content-Type, Accept, If-Match, If-None-Exist, If-None-Match, Prefer, X-Security-Context';

function cors(origins: '*' | readonly string[]) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const origin = req.get('origin');
    if (origin && (origins === '*' || origins.includes(origin))) {
      res.set('Access-Control-Allow-Origin', origin);
      res.set('Access-Control-Expose-Headers', CORS_EXPOSED);
      res.vary('Origin');
      if (req.method === 'OPTIONS' && req.get('access-control-request-method')) {
        res.set('Access-Control-Allow-Methods', 'GET, HEAD, POST, PUT, DELETE');
        res.set('Access-Control-Allow-Headers', CORS_ALLOWED_HEADERS);
        res.set('Access-Control-Max-Age', '600');
        res.status(204).end();
        return;
      }
    }
    next();
  };
}

/** Adds fullUrl to the entries of a history Bundle (searches and batches set their own). */
function withFullUrls(bundle: Bundle, baseUrl: string): Bundle {
  if (bundle.type !== 'history') return bundle;
  return {
    ...bundle,
    entry: bundle.entry?.map((e) => ({ ...e, fullUrl: e.resource ? fullUrlOf(baseUrl, e.resource) : undefined })),
  };
}

/** Creates the Express router of the sandbox FHIR server. */
export function createFhirRouter(options: FhirRouterOptions): Router {
  loadFhirDefinitions();
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const fhir = new SandboxFhirRouter({ baseUrl, limits: options.store.limits });
  const startedAt = new Date();
  const router = express.Router();

  router.use(cors(options.corsOrigins ?? '*'));

  router.get('/.well-known/smart-configuration', (req, res) => {
    if (!options.smartConfiguration) {
      sendError(req, res, outcomes.notFound('This sandbox FHIR server runs without authorization'), {});
      return;
    }
    res.set('Cache-Control', 'no-store').json(options.smartConfiguration());
  });

  router.get('/metadata', (req, res) => {
    negotiate(req);
    const statement = capabilityStatement({
      baseUrl,
      limits: options.store.limits,
      secured: !!options.verifyAccessToken,
      smartConfiguration: options.smartConfiguration?.(),
      startedAt,
    });
    sendFhir(req, res, 200, statement);
  });

  router.use(express.raw({ type: () => true, limit: options.maxBodyBytes ?? 8 * 1024 * 1024 }));

  router.use(async (req: Request, res: Response) => {
    negotiate(req);
    const path = req.path;
    const access = options.verifyAccessToken
      ? new ScopeAccess(await authenticate(req, options.verifyAccessToken, baseUrl))
      : undefined;
    const method = (req.method === 'HEAD' ? 'GET' : req.method) as HttpMethod;
    const url = req.url.replace(/^\/+/, '');
    const route = fhir.find(method, url);
    if (!route) {
      throw new FhirHttpError(outcomes.notFound(`No FHIR interaction at ${req.method} ${path}`));
    }
    const body = readBody(req, path);
    const request: FhirRequest = {
      method,
      url,
      pathname: '',
      params: {},
      query: {},
      body,
      headers: req.headers,
      config: { transactions: true },
    };
    const repo = new ScopedRepository(options.store, access, options.validate);
    const [result, resource] = await fhir.handleRequest(request, repo);
    respond(req, res, route.data?.interaction, result, resource);
  });

  function respond(
    req: Request,
    res: Response,
    interaction: string | undefined,
    result: OperationOutcome,
    resource: Resource | undefined,
  ): void {
    let status = statusOf(result);
    if (status >= 400 || !resource) {
      sendFhir(req, res, status, result);
      return;
    }
    if (resource.resourceType === 'Bundle') {
      sendFhir(req, res, status, withFullUrls(resource, baseUrl));
      return;
    }
    setVersionHeaders(res, resource);
    const isWrite = interaction === 'create' || interaction === 'update';
    if (interaction === 'update' && wasCreated(resource)) status = 201;
    if (status === 201 && resource.id && resource.meta?.versionId) {
      res.set('Location', `${baseUrl}/${resource.resourceType}/${resource.id}/_history/${resource.meta.versionId}`);
    }
    if (!isWrite) {
      const etag = res.get('ETag');
      if (
        etag &&
        req
          .get('if-none-match')
          ?.split(',')
          .some((t) => t.trim() === etag)
      ) {
        sendFhir(req, res, 304, undefined);
        return;
      }
      if (resource.resourceType === 'Binary' && !wantsFhirJson(req)) {
        res.status(status);
        sendBytes(res, resource.contentType ?? 'application/octet-stream', Buffer.from(resource.data ?? '', 'base64'));
        return;
      }
      sendFhir(req, res, status, resource);
      return;
    }
    const prefer = preferReturn(req);
    sendFhir(req, res, status, prefer === 'minimal' ? undefined : prefer === 'OperationOutcome' ? result : resource);
  }

  router.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const httpError = err as { type?: string; status?: number };
    if (httpError.type === 'entity.too.large') {
      sendError(
        req,
        res,
        outcomes.payloadTooLarge(`The body is larger than ${options.maxBodyBytes ?? 8388608} bytes`),
        {},
      );
      return;
    }
    if (err instanceof OperationOutcomeError) {
      sendError(req, res, err.outcome, err instanceof FhirHttpError ? err.headers : {});
      return;
    }
    console.error('sandbox FHIR server error:', (err as Error).message);
    sendError(req, res, normalizeOperationOutcome(err), {});
  });

  return router;
}
