/**
 * SMART scope syntax (v1 and v2) and the sandbox's rule for which requested scopes a client is granted.
 * https://hl7.org/fhir/smart-app-launch/scopes-and-launch-context.html
 */

/** Whose data a resource scope reaches: the launch patient's, the user's, or the whole system's. */
export type SmartScopeContext = 'patient' | 'user' | 'system';
/** SMART v2 permissions: create, read, update, delete, search. */
export type SmartPermission = 'c' | 'r' | 'u' | 'd' | 's';

/** A parsed resource scope such as `patient/Communication.rs` or `user/*.read`. */
export interface SmartResourceScope {
  context: SmartScopeContext;
  /** A FHIR resource type, or `*` for all. */
  resourceType: string;
  permissions: ReadonlySet<SmartPermission>;
  /** v2 search-parameter restriction (the part after `?`), kept as written. */
  query?: string;
  version: 1 | 2;
}

/** OpenID Connect and launch-context scopes the sandbox understands (everything that is not a resource scope). */
export const LAUNCH_SCOPES = [
  'openid',
  'fhirUser',
  'profile',
  'launch',
  'launch/patient',
  'offline_access',
  'online_access',
] as const;

export type LaunchScope = (typeof LAUNCH_SCOPES)[number];

/** Which flow the scopes are being granted for. */
export type GrantFlow = 'ehr-launch' | 'standalone-launch' | 'backend-services';

const V1_PERMISSIONS: Record<string, readonly SmartPermission[]> = {
  read: ['r', 's'],
  write: ['c', 'u', 'd'],
  '*': ['c', 'r', 'u', 'd', 's'],
};

const RESOURCE_SCOPE = /^(patient|user|system)\/(\*|[A-Z][A-Za-z]{1,63})\.([a-z*]+)(\?.+)?$/;
// v2 permissions appear in this order, each at most once: https://hl7.org/fhir/smart-app-launch/scopes-and-launch-context.html#scopes-for-requesting-fhir-resources
const V2_PERMISSIONS = /^c?r?u?d?s?$/;

/** Parses a SMART resource scope; undefined when the text is not one. */
export function parseSmartScope(scope: string): SmartResourceScope | undefined {
  const match = RESOURCE_SCOPE.exec(scope);
  if (!match) return undefined;
  const [, context, resourceType, permissionText, query] = match;
  if (!context || !resourceType || !permissionText) return undefined;
  const v1 = V1_PERMISSIONS[permissionText];
  if (v1) {
    // v1 scopes carry no query restriction.
    if (query) return undefined;
    return { context: context as SmartScopeContext, resourceType, permissions: new Set(v1), version: 1 };
  }
  if (!V2_PERMISSIONS.test(permissionText)) return undefined;
  return {
    context: context as SmartScopeContext,
    resourceType,
    permissions: new Set(permissionText.split('') as SmartPermission[]),
    ...(query ? { query: query.slice(1) } : {}),
    version: 2,
  };
}

/** True when `allowed` (a registration rule such as `patient/*.cruds`) covers every permission `requested` asks for. */
export function scopeCovers(allowed: SmartResourceScope, requested: SmartResourceScope): boolean {
  if (allowed.context !== requested.context) return false;
  if (allowed.resourceType !== '*' && allowed.resourceType !== requested.resourceType) return false;
  // A rule restricted by a query only covers the same restriction.
  if (allowed.query !== undefined && allowed.query !== requested.query) return false;
  return [...requested.permissions].every((permission) => allowed.permissions.has(permission));
}

function isLaunchScope(scope: string): scope is LaunchScope {
  return (LAUNCH_SCOPES as readonly string[]).includes(scope);
}

/** What a client asked for and what it is registered for. */
export interface ScopeRequest {
  /** Space-separated requested scopes. */
  requested: string;
  /** Space-separated scopes the client is registered for: launch scopes and resource-scope rules. */
  registered: string;
  flow: GrantFlow;
  /** Whether the launch has a patient in context (`patient/` scopes need one). */
  hasPatient: boolean;
}

/** The requested scopes split into granted and refused, in request order. */
export interface ScopeDecision {
  granted: string[];
  refused: string[];
}

/**
 * Grants the requested scopes the client is registered for and that make sense in this flow: resource scopes of the
 * flow's contexts (patient/user for launches, system for backend services), `patient/` only with a patient in context,
 * launch scopes only for user launches. Everything else is refused (dropped), as OAuth allows.
 */
export function decideScopes(request: ScopeRequest): ScopeDecision {
  const registered = request.registered.split(' ').filter(Boolean);
  const registeredLaunch = new Set(registered.filter(isLaunchScope));
  const rules = registered.map(parseSmartScope).filter((rule) => rule !== undefined);
  const granted: string[] = [];
  const refused: string[] = [];
  for (const scope of new Set(request.requested.split(' ').filter(Boolean))) {
    (grantable(scope, request, registeredLaunch, rules) ? granted : refused).push(scope);
  }
  return { granted, refused };
}

function grantable(
  scope: string,
  request: ScopeRequest,
  registeredLaunch: ReadonlySet<string>,
  rules: readonly SmartResourceScope[],
): boolean {
  const backend = request.flow === 'backend-services';
  if (isLaunchScope(scope)) {
    if (backend || !registeredLaunch.has(scope)) return false;
    // `launch` asks for the EHR's context; it means nothing in a standalone launch.
    return scope !== 'launch' || request.flow === 'ehr-launch';
  }
  const parsed = parseSmartScope(scope);
  if (!parsed) return false;
  if (backend !== (parsed.context === 'system')) return false;
  if (parsed.context === 'patient' && !request.hasPatient) return false;
  return rules.some((rule) => scopeCovers(rule, parsed));
}
