/**
 * The HTTP side of a FHIR exchange: content negotiation, request bodies (FHIR JSON, form-encoded _search, raw
 * Binary), bearer tokens, and writing results with FHIR's headers (ETag, Location, Last-Modified) and Prefer.
 * https://hl7.org/fhir/R4/http.html
 */
import { OperationOutcomeError } from '@medplum/core';
import type { Binary, OperationOutcome, Resource } from '@medplum/fhirtypes';
import type { Request, Response } from 'express';
import type { Grant, VerifyAccessToken } from '../auth/grant';
import { outcomes, statusOf } from '../store/outcomes';

export const FHIR_JSON = 'application/fhir+json; charset=utf-8';
const JSON_TYPES = new Set(['application/fhir+json', 'application/json', 'application/json-patch+json', 'text/json']);
const XML_ONLY = /^(application\/(fhir\+)?xml|text\/xml|xml)$/;

/** An HTTP error with an OperationOutcome body and optional extra headers (WWW-Authenticate). */
export class FhirHttpError extends OperationOutcomeError {
  constructor(
    outcome: OperationOutcome,
    readonly headers: Record<string, string> = {},
  ) {
    super(outcome);
  }
}

function mediaType(req: Request): string {
  return (req.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

/** True when the client asked for FHIR JSON explicitly (`_format` or Accept), e.g. to get a Binary as a resource. */
export function wantsFhirJson(req: Request): boolean {
  const format = new URL(req.originalUrl, 'http://x').searchParams.get('_format');
  if (format) return /json/.test(format);
  return /application\/(fhir\+)?json/.test(req.get('accept') ?? '');
}

/** Refuses requests that can only take XML (406); the sandbox speaks JSON. */
export function negotiate(req: Request): void {
  const format = new URL(req.originalUrl, 'http://x').searchParams.get('_format');
  if (format && !/json/.test(format)) {
    throw new FhirHttpError(outcomes.notAcceptable(`_format=${format}: the sandbox only speaks FHIR JSON`));
  }
  const accept = (req.get('accept') ?? '').split(',').map((part) => part.split(';')[0]?.trim() ?? '');
  if (accept.length > 0 && accept.every((type) => XML_ONLY.test(type))) {
    throw new FhirHttpError(outcomes.notAcceptable('Only application/fhir+json is available; send Accept accordingly'));
  }
}

/** Resolves the bearer token to its grant; 401 with WWW-Authenticate when there is none or it is not valid. */
export async function authenticate(req: Request, verify: VerifyAccessToken, baseUrl: string): Promise<Grant> {
  const realm = `Bearer realm="${baseUrl}"`;
  const header = req.get('authorization');
  if (!header) {
    throw new FhirHttpError(
      outcomes.unauthorized(
        `No access token. Send Authorization: Bearer <token>; get one through SMART App Launch ` +
          `(discovery: ${baseUrl}/.well-known/smart-configuration)`,
      ),
      { 'WWW-Authenticate': realm },
    );
  }
  const token = /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1];
  if (!token) {
    throw new FhirHttpError(outcomes.unauthorized('The Authorization header must be "Bearer <token>"'), {
      'WWW-Authenticate': `${realm}, error="invalid_request"`,
    });
  }
  const grant = await verify(token);
  if (!grant || grant.expiresAt * 1000 <= Date.now()) {
    throw new FhirHttpError(outcomes.unauthorized('The access token is unknown, expired or revoked'), {
      'WWW-Authenticate': `${realm}, error="invalid_token", error_description="unknown, expired or revoked"`,
    });
  }
  return grant;
}

/** True for the URLs where a non-JSON body is the content of a Binary. */
export function isBinaryWrite(method: string, path: string): boolean {
  return (method === 'POST' && /^\/Binary\/?$/.test(path)) || (method === 'PUT' && /^\/Binary\/[^/]+$/.test(path));
}

/** The request body as the FHIR router expects it: a resource, a form for _search, or undefined. */
export function readBody(req: Request, path: string): unknown {
  const raw = Buffer.isBuffer(req.body) ? req.body : undefined;
  const method = req.method;
  const needsResource = (method === 'POST' && !path.endsWith('/_search')) || method === 'PUT';
  if (!raw || raw.length === 0) {
    if (needsResource) throw new FhirHttpError(outcomes.invalid(`${method} ${path} needs a FHIR resource body`));
    return undefined;
  }
  const type = mediaType(req);
  if (JSON_TYPES.has(type)) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw.toString('utf8'));
    } catch (err) {
      throw new FhirHttpError(outcomes.invalid(`The body is not valid JSON: ${(err as Error).message}`));
    }
    if (needsResource && (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))) {
      throw new FhirHttpError(outcomes.invalid('The body must be a FHIR resource: a JSON object with resourceType'));
    }
    return parsed;
  }
  if (type === 'application/x-www-form-urlencoded' && path.endsWith('/_search')) {
    const form: Record<string, string[]> = {};
    for (const [key, value] of new URLSearchParams(raw.toString('utf8'))) (form[key] ??= []).push(value);
    return form;
  }
  if (isBinaryWrite(method, path) && type) {
    const id = /^\/Binary\/([^/]+)$/.exec(path)?.[1];
    const securityContext = req.get('x-security-context');
    return {
      resourceType: 'Binary',
      ...(id ? { id } : {}),
      contentType: req.get('content-type') ?? type,
      ...(securityContext ? { securityContext: { reference: securityContext } } : {}),
      data: raw.toString('base64'),
    } satisfies Binary;
  }
  throw new FhirHttpError(
    outcomes.unsupportedMediaType(
      `Content-Type "${type || '(none)'}" is not accepted here; send application/fhir+json` +
        (path.startsWith('/Binary') ? ' or the raw content of the Binary' : ''),
    ),
  );
}

/** The Prefer return= preference (https://hl7.org/fhir/R4/http.html#ops). */
export function preferReturn(req: Request): 'minimal' | 'representation' | 'OperationOutcome' {
  const value = /return=(minimal|representation|OperationOutcome)/.exec(req.get('prefer') ?? '')?.[1];
  return (value as 'minimal' | 'OperationOutcome' | undefined) ?? 'representation';
}

/** Writes a FHIR JSON body (or none for HEAD / 204) with the given status. */
export function sendFhir(req: Request, res: Response, status: number, body: Resource | undefined): void {
  res.status(status);
  if (body === undefined || req.method === 'HEAD' || status === 204 || status === 304) {
    res.end();
    return;
  }
  const pretty = new URL(req.originalUrl, 'http://x').searchParams.get('_pretty') === 'true';
  sendBytes(res, FHIR_JSON, Buffer.from(JSON.stringify(body, undefined, pretty ? 2 : undefined)));
}

/** Ends the response with a body; unlike res.send it adds no content-hash ETag (ETags here are version ids). */
export function sendBytes(res: Response, contentType: string, bytes: Buffer): void {
  res.set('Content-Type', contentType).set('Content-Length', String(bytes.length)).end(bytes);
}

/** Sets ETag and Last-Modified for a resource version. */
export function setVersionHeaders(res: Response, resource: Resource): void {
  const version = resource.meta?.versionId;
  if (version) res.set('ETag', `W/"${version}"`);
  if (resource.meta?.lastUpdated) res.set('Last-Modified', new Date(resource.meta.lastUpdated).toUTCString());
}

/** Writes an error outcome (with its headers) as the response. */
export function sendError(req: Request, res: Response, error: OperationOutcome, headers: Record<string, string>): void {
  res.set(headers);
  sendFhir(req, res, statusOf(error), error);
}
