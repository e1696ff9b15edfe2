/**
 * The repository one HTTP request sees: the sandbox store behind the token's SMART scopes and the write validation.
 * FhirRouter (and batch/transaction processing) call it for every interaction, so every path is checked the same
 * way. `patient/` scopes reach the launch patient's compartment: reads outside it are 403, searches only return
 * it, writes must reference the patient. Types outside any patient compartment (Organization, Practitioner,
 * PractitionerRole) are readable with a patient/ read scope (directory data) but not writable; a Binary is
 * creatable, and readable when its securityContext points into the compartment. See docs/decisions/012.
 */
import type { SearchRequest, WithId } from '@medplum/core';
import { isOperationOutcome, OperationOutcomeError } from '@medplum/core';
import type { CreateResourceOptions, RepositoryMode, UpdateResourceOptions } from '@medplum/fhir-router';
import { FhirRepository } from '@medplum/fhir-router';
import type { Bundle, Reference, Resource } from '@medplum/fhirtypes';
import { outcomes } from '../store/outcomes';
import type { SearchQuery } from '../store/parseSearchQuery';
import { inPatientCompartment, patientCompartmentParams } from '../store/patientCompartment';
import type { SandboxRepository, SearchPage } from '../store/SandboxRepository';
import type { Permission, Reach, ScopeAccess } from './scopeAccess';
import type { ValidateHook } from './validateWrite';
import { validateWrite } from './validateWrite';

/** A search page plus how many included resources the token could not see. */
export interface ScopedSearchPage extends SearchPage {
  omittedIncludes: number;
}

type Action = 'read' | 'create' | 'write';

const forbid = (text: string): never => {
  throw new OperationOutcomeError(outcomes.forbidden(text));
};

export class ScopedRepository extends FhirRepository<undefined> {
  constructor(
    readonly store: SandboxRepository,
    /** undefined when the server runs without authorization. */
    private readonly access: ScopeAccess | undefined,
    private readonly validate?: ValidateHook,
  ) {
    super();
  }

  setMode(mode: RepositoryMode): void {
    this.store.setMode(mode);
  }

  generateId(): string {
    return this.store.generateId();
  }

  withTransaction<TResult>(callback: (client: undefined) => Promise<TResult>): Promise<TResult> {
    return this.store.withTransaction(callback);
  }

  private reach(resourceType: string, permission: Permission): Reach {
    return this.access ? this.access.require(resourceType, permission) : { kind: 'all' };
  }

  /** Null when `resource` is within `reach` for `action`, else why not. */
  private async outside(resource: Resource, reach: Reach, action: Action): Promise<string | null> {
    if (reach.kind === 'all') return null;
    const patient = `Patient/${reach.patientId}`;
    const type = resource.resourceType;
    if (type === 'Binary') {
      if (action === 'create') return null;
      const context = resource.securityContext?.reference;
      if (context === patient) return null;
      if (context) {
        const target = await this.store.readReference({ reference: context }).catch(() => undefined);
        if (target && inPatientCompartment(target, reach.patientId)) return null;
      }
      return `Binary/${resource.id ?? ''} has no securityContext in the launch patient's compartment (${patient})`;
    }
    const params = patientCompartmentParams(type);
    if (!params) {
      return action === 'read'
        ? null
        : `patient/ scopes cannot write ${type}: it is in no patient compartment; a user/ scope is needed`;
    }
    if (inPatientCompartment(resource, reach.patientId)) return null;
    return action === 'read'
      ? `${type}/${resource.id ?? ''} is outside the launch patient's compartment (${patient})`
      : `With patient/ scopes a ${type} must be in ${patient}'s compartment: reference it in ${
          type === 'Patient' ? 'the id' : params.join(', ')
        }`;
  }

  private async assertWithin(resource: Resource, reach: Reach, action: Action): Promise<void> {
    const reason = await this.outside(resource, reach, action);
    if (reason) forbid(reason);
  }

  private async existing(resourceType: string, id: string): Promise<WithId<Resource> | undefined> {
    try {
      return await this.store.readResource(resourceType, id);
    } catch (err) {
      const id = err instanceof OperationOutcomeError ? err.outcome.id : undefined;
      if (id === 'not-found' || id === 'gone') return undefined;
      throw err;
    }
  }

  async createResource<T extends Resource>(resource: T, options?: CreateResourceOptions): Promise<WithId<T>> {
    await this.assertWithin(resource, this.reach(resource.resourceType, 'c'), 'create');
    validateWrite(resource, this.validate);
    return this.store.createResource(resource, options);
  }

  async updateResource<T extends Resource>(resource: T, options?: UpdateResourceOptions): Promise<WithId<T>> {
    return this.store.withTransaction(async () => {
      const current = resource.id ? await this.existing(resource.resourceType, resource.id) : undefined;
      const reach = this.reach(resource.resourceType, current ? 'u' : 'c');
      if (current) await this.assertWithin(current, reach, 'write');
      await this.assertWithin(resource, reach, current ? 'write' : 'create');
      validateWrite(resource, this.validate);
      return this.store.updateResource(resource, options);
    });
  }

  patchResource<T extends Resource>(resourceType: T['resourceType'], id: string): Promise<WithId<T>> {
    return this.store.patchResource(resourceType, id);
  }

  async deleteResource(resourceType: string, id: string): Promise<void> {
    await this.store.withTransaction(async () => {
      const reach = this.reach(resourceType, 'd');
      const current = await this.existing(resourceType, id);
      if (current) await this.assertWithin(current, reach, 'write');
      await this.store.deleteResource(resourceType, id);
    });
  }

  async readResource<T extends Resource>(resourceType: string, id: string): Promise<WithId<T>> {
    const reach = this.reach(resourceType, 'r');
    const resource = await this.store.readResource<T>(resourceType, id);
    await this.assertWithin(resource, reach, 'read');
    return resource;
  }

  async readReference<T extends Resource>(reference: Reference<T>): Promise<WithId<T>> {
    const [type, id, ...rest] = reference.reference?.split('/') ?? [];
    if (!type || !id || rest.length > 0) return this.store.readReference(reference);
    return this.readResource<T>(type, id);
  }

  async readReferences<T extends Resource>(references: readonly Reference<T>[]): Promise<(T | Error)[]> {
    return Promise.all(references.map((r) => this.readReference(r).catch((err: unknown) => err as Error)));
  }

  async readVersion<T extends Resource>(resourceType: string, id: string, versionId: string): Promise<WithId<T>> {
    const reach = this.reach(resourceType, 'r');
    const version = await this.store.readVersion<T>(resourceType, id, versionId);
    await this.assertWithin(version, reach, 'read');
    return version;
  }

  async readHistory<T extends Resource>(
    resourceType: string,
    id: string,
    options?: { offset?: number; limit?: number },
  ): Promise<Bundle<WithId<T>>> {
    const reach = this.reach(resourceType, 'r');
    const history = await this.store.readHistory<T>(resourceType, id, options);
    const latest = history.entry?.find((e) => e.resource)?.resource;
    if (latest) await this.assertWithin(latest, reach, 'read');
    else if (reach.kind === 'patient') forbid(`${resourceType}/${id} has no version the token can check`);
    return history;
  }

  private compartmentFor(resourceType: string, reach: Reach): { compartmentPatient?: string } {
    return reach.kind === 'patient' && patientCompartmentParams(resourceType)
      ? { compartmentPatient: reach.patientId }
      : {};
  }

  /** True when the token may read `resource` (for _include results). */
  private async readable(resource: Resource): Promise<boolean> {
    if (!this.access) return true;
    if (!this.access.allows(resource.resourceType, 'r')) return false;
    try {
      return (await this.outside(resource, this.reach(resource.resourceType, 'r'), 'read')) === null;
    } catch (err) {
      if (err instanceof OperationOutcomeError && isOperationOutcome(err.outcome)) return false;
      throw err;
    }
  }

  /** Runs a parsed search within the token's reach; included resources it cannot read are left out and counted. */
  async searchQuery(query: SearchQuery): Promise<ScopedSearchPage> {
    const reach = this.reach(query.resourceType, 's');
    const page = await this.store.searchQuery(query, this.compartmentFor(query.resourceType, reach));
    const included: WithId<Resource>[] = [];
    for (const resource of page.included) if (await this.readable(resource)) included.push(resource);
    return { ...page, included, omittedIncludes: page.included.length - included.length };
  }

  async search<T extends Resource>(request: SearchRequest<T>): Promise<Bundle<WithId<T>>> {
    const reach = this.reach(request.resourceType, 's');
    const bundle = await this.store.search(request, this.compartmentFor(request.resourceType, reach));
    const entry = [];
    for (const e of bundle.entry ?? []) {
      if (e.search?.mode !== 'include' || (e.resource && (await this.readable(e.resource)))) entry.push(e);
    }
    return { ...bundle, entry };
  }

  async searchByReference<T extends Resource>(
    request: SearchRequest<T>,
    referenceField: string,
    references: string[],
  ): Promise<Record<string, WithId<T>[]>> {
    const out: Record<string, WithId<T>[]> = {};
    for (const reference of references) {
      const bundle = await this.search({
        ...request,
        filters: [...(request.filters ?? []), { code: referenceField, operator: 'eq', value: reference }],
      });
      out[reference] = (bundle.entry ?? []).flatMap((e) => (e.resource ? [e.resource] : []));
    }
    return out;
  }
}
