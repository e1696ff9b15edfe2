/**
 * @medplum/fhir-router's FhirRouter with the routes where the sandbox must behave like a real server replaced:
 * type search (strict parameters, paging links, _include/_revinclude, compartment limits), batch/transaction
 * (atomic, no entry limits), and PATCH / system search / GraphQL, which the sandbox does not offer. Read, vread,
 * create (with If-None-Exist), update (with If-Match), conditional update/delete, delete and history stay the
 * router's own handlers, running against the request's ScopedRepository.
 */
import { allOk, OperationOutcomeError } from '@medplum/core';
import type { FhirRequest, FhirResponse, FhirRouteHandler, HttpMethod } from '@medplum/fhir-router';
import { FhirRouter } from '@medplum/fhir-router';
import { outcomes } from '../store/outcomes';
import type { RawQuery, SearchLimits } from '../store/parseSearchQuery';
import { parseSearchQuery } from '../store/parseSearchQuery';
import { isSupportedType, SUPPORTED_TYPES } from '../store/searchParameters';
import type { BundleContext } from './processBundle';
import { processBundle } from './processBundle';
import { ScopedRepository } from './ScopedRepository';
import { searchBundle } from './searchBundle';

export interface SandboxRouterSettings {
  baseUrl: string;
  limits: SearchLimits;
}

function scoped(repo: unknown): ScopedRepository {
  if (!(repo instanceof ScopedRepository)) throw new Error('The sandbox FHIR router needs a ScopedRepository');
  return repo;
}

const notSupported =
  (text: string): FhirRouteHandler =>
  () =>
    Promise.resolve([outcomes.methodNotAllowed(text)]);

export class SandboxFhirRouter extends FhirRouter {
  constructor(readonly settings: SandboxRouterSettings) {
    super();
    const search: FhirRouteHandler = (req, repo) => this.search(req, scoped(repo));
    this.replace('GET', ':resourceType', search);
    this.replace('POST', ':resourceType/_search', search);
    this.replace('POST', '', (req, repo) => this.bundle(req, scoped(repo)));
    this.replace('GET', '', notSupported('System-level search is not supported; search one resource type'));
    this.replace('PATCH', ':resourceType/:id', notSupported('PATCH is not supported; use PUT with If-Match'));
    this.replace('PATCH', ':resourceType', notSupported('PATCH is not supported; use PUT with If-Match'));
    this.remove('POST', '$graphql');
  }

  private findRoute(method: HttpMethod, path: string): number {
    return this.router.routes.findIndex(
      (route) =>
        route.method === method && route.path.map((s) => (s.param ? `:${s.value}` : s.value)).join('/') === path,
    );
  }

  private replace(method: HttpMethod, path: string, handler: FhirRouteHandler): void {
    const route = this.router.routes[this.findRoute(method, path)];
    if (!route) throw new Error(`FhirRouter has no route ${method} ${path} to replace`);
    route.handler = handler;
  }

  private remove(method: HttpMethod, path: string): void {
    const index = this.findRoute(method, path);
    if (index >= 0) this.router.routes.splice(index, 1);
  }

  private async search(req: FhirRequest, repo: ScopedRepository): Promise<FhirResponse> {
    const type = req.params.resourceType ?? '';
    if (!isSupportedType(type)) {
      return [outcomes.notFound(`Resource type "${type}" is not supported. Supported: ${SUPPORTED_TYPES.join(', ')}`)];
    }
    const raw: RawQuery = { ...req.query };
    if (req.method === 'POST' && req.body && typeof req.body === 'object') {
      for (const [key, value] of Object.entries(req.body as RawQuery)) {
        const existing = raw[key];
        raw[key] = [
          ...(existing === undefined ? [] : [existing].flat()),
          ...(value === undefined ? [] : [value].flat()),
        ];
      }
    }
    const query = parseSearchQuery(type, raw, this.settings.limits);
    const page = await repo.searchQuery(query);
    return [allOk, searchBundle(this.settings.baseUrl, query, page)];
  }

  private async bundle(req: FhirRequest, repo: ScopedRepository): Promise<FhirResponse> {
    const prefer = /return=(minimal|representation|OperationOutcome)/.exec(String(req.headers?.prefer ?? ''))?.[1];
    const ctx: BundleContext = {
      router: this,
      repo,
      baseUrl: this.settings.baseUrl,
      prefer: (prefer as BundleContext['prefer'] | undefined) ?? 'representation',
    };
    try {
      return [allOk, await processBundle(req.body, ctx)];
    } catch (err) {
      if (err instanceof OperationOutcomeError) return [err.outcome];
      throw err;
    }
  }
}
