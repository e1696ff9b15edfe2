/**
 * What a SMART access token lets its bearer do on the FHIR API, per resource type and interaction.
 * Scopes: https://hl7.org/fhir/smart-app-launch/scopes-and-launch-context.html — v1 (`.read`, `.write`, `.*`) and
 * v2 (`.cruds` letters in that order). v2 scopes with a `?` query restriction are not supported: they grant nothing
 * and a 403 says so. `user/` and `system/` scopes reach every resource of their type; `patient/` scopes reach the
 * launch patient's compartment only (the caller enforces the compartment).
 */
import type { Grant } from '../auth/grant';
import { outcomes } from '../store/outcomes';
import { OperationOutcomeError } from '@medplum/core';

/** SMART v2 permissions: create, read, update, delete, search. */
export type Permission = 'c' | 'r' | 'u' | 'd' | 's';
export type ScopeContext = 'patient' | 'user' | 'system';

export interface ResourceScope {
  context: ScopeContext;
  /** A resource type or `*`. */
  resourceType: string;
  permissions: ReadonlySet<Permission>;
}

export type ParsedScope =
  | { kind: 'resource'; scope: ResourceScope }
  | { kind: 'unsupported'; scope: string; reason: string }
  | { kind: 'other' };

const RESOURCE_SCOPE = /^(patient|user|system)\/(\*|[A-Z][A-Za-z]{1,63})\.([^?]+)(\?.*)?$/;
const V1: Record<string, Permission[]> = { read: ['r', 's'], write: ['c', 'u', 'd'], '*': ['c', 'r', 'u', 'd', 's'] };
const V2 = /^c?r?u?d?s?$/;

/** Parses one scope string. Non-resource scopes (openid, launch, offline_access, …) are `other`. */
export function parseScope(scope: string): ParsedScope {
  const match = RESOURCE_SCOPE.exec(scope);
  if (!match) {
    return /^(patient|user|system)\//.test(scope)
      ? { kind: 'unsupported', scope, reason: 'not a valid SMART resource scope' }
      : { kind: 'other' };
  }
  const [, context = '', resourceType = '', permissionText = '', query] = match;
  if (query !== undefined) {
    return { kind: 'unsupported', scope, reason: 'query-restricted v2 scopes are not supported by the sandbox' };
  }
  const v1 = V1[permissionText];
  const permissions = v1 ?? (V2.test(permissionText) ? (permissionText.split('') as Permission[]) : undefined);
  if (!permissions?.length) {
    return { kind: 'unsupported', scope, reason: `"${permissionText}" is neither v1 (read, write, *) nor v2 (cruds)` };
  }
  return {
    kind: 'resource',
    scope: { context: context as ScopeContext, resourceType, permissions: new Set(permissions) },
  };
}

/** The reach of an allowed interaction. */
export type Reach = { kind: 'all' } | { kind: 'patient'; patientId: string };

const VERBS: Record<Permission, string> = {
  c: 'Creating',
  r: 'Reading',
  u: 'Updating',
  d: 'Deleting',
  s: 'Searching',
};

/** The access a token's grant gives. */
export class ScopeAccess {
  private readonly scopes: ResourceScope[] = [];
  private readonly unsupported: { scope: string; reason: string }[] = [];

  constructor(readonly grant: Grant) {
    for (const text of grant.scopes) {
      const parsed = parseScope(text);
      if (parsed.kind === 'resource') this.scopes.push(parsed.scope);
      else if (parsed.kind === 'unsupported') this.unsupported.push({ scope: parsed.scope, reason: parsed.reason });
    }
  }

  private matching(resourceType: string, permission: Permission, context: ScopeContext): boolean {
    return this.scopes.some(
      (s) =>
        s.context === context &&
        (s.resourceType === '*' || s.resourceType === resourceType) &&
        s.permissions.has(permission),
    );
  }

  /** The reach of `permission` on `resourceType`; throws a 403 OperationOutcomeError naming the scope needed. */
  require(resourceType: string, permission: Permission): Reach {
    if (this.matching(resourceType, permission, 'system') || this.matching(resourceType, permission, 'user')) {
      return { kind: 'all' };
    }
    if (this.matching(resourceType, permission, 'patient')) {
      if (this.grant.patient) return { kind: 'patient', patientId: this.grant.patient };
      throw new OperationOutcomeError(
        outcomes.forbidden(
          `${VERBS[permission]} ${resourceType} with a patient/ scope needs a launch patient, and this token has none`,
        ),
      );
    }
    throw new OperationOutcomeError(outcomes.forbidden(this.denial(resourceType, permission)));
  }

  /** True when `permission` on `resourceType` is allowed at all (ignoring compartments). */
  allows(resourceType: string, permission: Permission): boolean {
    return (['system', 'user', 'patient'] as const).some((c) => this.matching(resourceType, permission, c));
  }

  private denial(resourceType: string, permission: Permission): string {
    const backend = !this.grant.fhirUser && !this.grant.patient;
    const contexts: ScopeContext[] = backend ? ['system'] : this.grant.patient ? ['patient', 'user'] : ['user'];
    const v1 = permission === 'r' || permission === 's' ? 'read' : 'write';
    const needed = contexts.map((c) => `${c}/${resourceType}.${permission}`).join(' or ');
    const legacy = contexts.map((c) => `${c}/${resourceType}.${v1}`).join(' or ');
    let text = `${VERBS[permission]} ${resourceType} requires ${needed} (v1: ${legacy}); this token grants: ${
      this.grant.scopes.join(' ') || '(no scopes)'
    }`;
    if (this.unsupported.length > 0) {
      text += `. Ignored: ${this.unsupported.map((u) => `${u.scope} (${u.reason})`).join(', ')}`;
    }
    return text;
  }
}
