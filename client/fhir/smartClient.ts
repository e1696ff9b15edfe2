/**
 * The one module that talks to fhirclient (smart-on-fhir/client-js). It authorizes (launch page), completes the
 * launch (`ready()`), keeps the token fresh, and sends every FHIR request with the user's token. Everything else in
 * the app sees a `FhirSession` and @medplum/fhirtypes types. See docs/decisions/040-fhir-session-wrapper.md.
 *
 * We use fhirclient for the SMART parts (discovery, PKCE, token exchange, storage, refresh) and send requests with
 * fetch ourselves: `client.request()` folds the server's OperationOutcome into an error string, hides ETag/Location,
 * and clears the session on the first 401 without trying the refresh token.
 */
import type { Bundle, Resource } from '@medplum/fhirtypes';
import FHIR from 'fhirclient';
import type Client from 'fhirclient/lib/Client';
import type { AuthorizeRequest } from '../../launch/authorizeRequest';
import { errorFromResponse, FhirRequestError } from './fhirErrors';

/** The launch context the EHR granted (SMART App Launch 2.x, "Launch context arrives with your access_token"). */
export interface LaunchGrant {
  /** FHIR base URL (`iss`). */
  serverUrl: string;
  /** Patient in context; absent for the practice inbox. */
  patientId?: string;
  /** The signed-in user, e.g. `Practitioner/dr-lee`. */
  fhirUser?: string;
  /** True when the EHR does not already show the patient, so the app must. */
  needPatientBanner: boolean;
  /** The EHR's style document for the app to match. */
  smartStyleUrl?: string;
  /** Granted scopes. */
  scopes: string[];
}

export interface FhirResult<T> {
  resource: T;
  /** ETag of the returned version (`W/"3"`), when the server sent one. */
  etag?: string;
}

export interface FhirSession {
  grant: LaunchGrant;
  /** GET `Type/id`. */
  read<T extends Resource>(resourceType: T['resourceType'], id: string, signal?: AbortSignal): Promise<T>;
  /** GET a search (`Type?params`), or a paging link the server returned. */
  search<T extends Resource>(
    resourceType: T['resourceType'],
    params: URLSearchParams,
    signal?: AbortSignal,
  ): Promise<Bundle<T>>;
  /** GET a `next`/`previous` link from a Bundle (must be under the FHIR base). */
  followLink<T extends Resource>(url: string, signal?: AbortSignal): Promise<Bundle<T>>;
  /** POST a resource; `ifNoneExist` makes the create conditional (returns the existing match instead). */
  create<T extends Resource>(resource: T, options?: { ifNoneExist?: string }): Promise<FhirResult<T>>;
  /** PUT a resource; `ifMatch` (a versionId) makes it a versioned update that fails with 412 when stale. */
  update<T extends Resource>(resource: T & { id: string }, options?: { ifMatch?: string }): Promise<FhirResult<T>>;
  /** GET a Binary (relative `Binary/id` or a URL under the FHIR base) as a Blob, with the user's token. */
  binary(reference: string, signal?: AbortSignal): Promise<Blob>;
  /** POST a batch or transaction Bundle to the base (https://hl7.org/fhir/R4/http.html#transaction). */
  bundle(bundle: Bundle, signal?: AbortSignal): Promise<Bundle>;
}

/** Starts the SMART authorization (launch page). Resolves only if the browser did not navigate away. */
export async function authorize(request: AuthorizeRequest): Promise<void> {
  await FHIR.oauth2.authorize({
    iss: request.iss,
    ...(request.launch ? { launch: request.launch } : {}),
    clientId: request.clientId,
    scope: request.scope,
    redirectUri: request.redirectUri,
    // PKCE S256 or nothing: https://hl7.org/fhir/smart-app-launch/app-launch.html#considerations-for-pkce-support
    pkceMode: 'required',
    // Inside the EHR's iframe, finish in the same frame: never hand the code to the EHR's window.
    completeInTarget: true,
  });
}

/** Completes the launch on the redirect page (`ready()`) and returns the session. */
export async function connect(): Promise<FhirSession> {
  return sessionFor(await FHIR.oauth2.ready());
}

/** A session from a stored fhirclient state (tests, previews and benchmarks; no OAuth round trip). */
export function sessionFromState(state: {
  serverUrl: string;
  tokenResponse: Record<string, unknown> & { access_token: string };
}): FhirSession {
  return sessionFor(FHIR.client(state));
}

function trimBase(url: string): string {
  return url.replace(/\/+$/, '');
}

function sessionFor(client: Client): FhirSession {
  const token = (client.state.tokenResponse ?? {}) as Record<string, unknown>;
  const base = trimBase(client.state.serverUrl);
  const grant: LaunchGrant = {
    serverUrl: base,
    ...(client.patient.id ? { patientId: String(client.patient.id) } : {}),
    ...(client.getFhirUser() ? { fhirUser: String(client.getFhirUser()) } : {}),
    needPatientBanner: token.need_patient_banner === true,
    ...(typeof token.smart_style_url === 'string' ? { smartStyleUrl: token.smart_style_url } : {}),
    scopes: typeof token.scope === 'string' ? token.scope.split(/\s+/).filter(Boolean) : [],
  };

  const expired = (): FhirRequestError =>
    new FhirRequestError('session-expired', 'Your session has expired. Reopen ChartText from the patient’s chart.');

  /** Absolute URL for a path under the base; refuses anything else, so the token never leaves the EHR. */
  const resolve = (pathOrUrl: string): string => {
    const url = /^https?:\/\//.test(pathOrUrl) ? pathOrUrl : `${base}/${pathOrUrl.replace(/^\/+/, '')}`;
    if (url !== base && !url.startsWith(`${base}/`) && !url.startsWith(`${base}?`)) {
      throw new FhirRequestError('rejected', 'Refusing to send the EHR token to an address outside the FHIR server.');
    }
    return url;
  };

  const canRefresh = (): boolean =>
    typeof client.state.tokenResponse?.refresh_token === 'string' &&
    /\b(online|offline)_access\b/.test(String(client.state.tokenResponse?.scope ?? ''));

  const attempt = async (url: string, init: RequestInit): Promise<Response> => {
    try {
      await client.refreshIfNeeded();
    } catch {
      throw expired();
    }
    const authorization = client.getAuthorizationHeader();
    const headers = new Headers(init.headers);
    if (!headers.has('accept')) headers.set('accept', 'application/fhir+json');
    if (authorization) headers.set('authorization', authorization);
    try {
      return await fetch(url, { ...init, headers, credentials: 'omit' });
    } catch (error) {
      if (error instanceof DOMException && error.name === 'AbortError') throw error;
      throw new FhirRequestError('offline', 'Can’t reach the EHR. Check your connection; ChartText will keep trying.');
    }
  };

  /** Sends one request; a 401 gets one refresh and one retry, then becomes "session expired". */
  const send = async (pathOrUrl: string, init: RequestInit = {}): Promise<Response> => {
    const url = resolve(pathOrUrl);
    let response = await attempt(url, init);
    if (response.status === 401 && canRefresh()) {
      try {
        await client.refresh();
      } catch {
        throw expired();
      }
      response = await attempt(url, init);
    }
    if (response.status === 401) throw expired();
    if (!response.ok) throw await errorFromResponse(response);
    return response;
  };

  const json = async <T>(response: Response): Promise<T> => {
    try {
      return (await response.json()) as T;
    } catch {
      throw new FhirRequestError('server', 'The EHR sent a response ChartText could not read.', response.status);
    }
  };

  /** Create/update answer: the body if the server returned one, else the resource at Location. */
  const written = async <T extends Resource>(response: Response): Promise<FhirResult<T>> => {
    const etag = response.headers.get('etag') ?? undefined;
    const text = await response.text();
    if (text.trim() !== '') {
      return { resource: JSON.parse(text) as T, ...(etag ? { etag } : {}) };
    }
    const location = response.headers.get('location');
    if (!location) throw new FhirRequestError('server', 'The EHR saved the record but did not say where.');
    const again = await send(location.replace(/\/_history\/[^/]+$/, ''));
    const againEtag = again.headers.get('etag') ?? etag;
    return { resource: await json<T>(again), ...(againEtag ? { etag: againEtag } : {}) };
  };

  return {
    grant,
    async read(resourceType, id, signal) {
      return json(await send(`${resourceType}/${encodeURIComponent(id)}`, signal ? { signal } : {}));
    },
    async search(resourceType, params, signal) {
      return json(await send(`${resourceType}?${params.toString()}`, signal ? { signal } : {}));
    },
    async followLink(url, signal) {
      return json(await send(url, signal ? { signal } : {}));
    },
    async create(resource, options) {
      const headers: Record<string, string> = {
        'content-type': 'application/fhir+json',
        prefer: 'return=representation',
      };
      if (options?.ifNoneExist) headers['if-none-exist'] = options.ifNoneExist;
      return written(await send(resource.resourceType, { method: 'POST', headers, body: JSON.stringify(resource) }));
    },
    async update(resource, options) {
      const headers: Record<string, string> = {
        'content-type': 'application/fhir+json',
        prefer: 'return=representation',
      };
      if (options?.ifMatch) headers['if-match'] = `W/"${options.ifMatch}"`;
      const path = `${resource.resourceType}/${encodeURIComponent(resource.id)}`;
      return written(await send(path, { method: 'PUT', headers, body: JSON.stringify(resource) }));
    },
    async bundle(bundle, signal) {
      const headers = { 'content-type': 'application/fhir+json' };
      return json(
        await send(base, { method: 'POST', headers, body: JSON.stringify(bundle), ...(signal ? { signal } : {}) }),
      );
    },
    async binary(reference, signal) {
      const response = await send(reference, {
        headers: { accept: 'application/fhir+json' },
        ...(signal ? { signal } : {}),
      });
      const type = response.headers.get('content-type') ?? '';
      if (!/json/i.test(type)) return response.blob();
      // A FHIR Binary resource: base64 `data` plus `contentType` (https://hl7.org/fhir/R4/binary.html).
      const binary = await json<{ contentType?: string; data?: string }>(response);
      const bytes = Uint8Array.from(atob(binary.data ?? ''), (c) => c.charCodeAt(0));
      return new Blob([bytes], { type: binary.contentType ?? 'application/octet-stream' });
    },
  };
}
