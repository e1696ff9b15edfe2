/**
 * The repository one HTTP request sees: the sandbox store behind the token's SMART scopes and the write validation.
 * FhirRouter (and batch/transaction processing) call it for every interaction, so every path is checked the same
 * way. `patient/` scopes reach the launch patient's compartment: reads outside it are 403, searches only return
 * it, writes must reference the patient. Types outside any patient compartment (Organization, Practitioner,
 * PractitionerRole) are readable with a patient/ read scope (directory data) but not writable; a Binary is read
 * only by a token that can read its securityContext. History and vread judge every version, deleted ones too.
 * See docs/decisions/012 and 015.
 */
import type { SearchRequest, WithId } from '@medplum/core';
import { isOperationOutcome, OperationOutcomeError } from '@medplum/core';
import type { CreateResourceOptions, RepositoryMode, UpdateResourceOptions } from '@medplum/fhir-router';
import { FhirRepository } from '@medplum/fhir-router';
import type { Binary, Bundle, BundleEntry, Reference, Resource } from '@medplum/fhirtypes';
import { outcomes } from '../store/outcomes';
import type { SearchQuery } from '../store/parseSearchQuery';
import { searchEachReference } from '../store/searchByReference';
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
    if (resource.resourceType === 'Binary') return this.binaryOutside(resource, reach, action);
    if (reach.kind === 'all') return null;
    const patient = `Patient/${reach.patientId}`;
    const type = resource.resourceType;
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

  /**
   * A Binary is in no compartment: the resource its securityContext names guards it
   * (https://hl7.org/fhir/R4/binary.html#security). Reading needs read access to that resource; a patient/ token
   * may only create a Binary guarded by something in its compartment.
   */
  private async binaryOutside(binary: Binary, reach: Reach, action: Action): Promise<string | null> {
    if (!this.access) return null;
    const name = `Binary/${binary.id ?? ''}`;
    const context = binary.securityContext?.reference;
    if (!context) {
      return reach.kind === 'all' || action === 'create'
        ? null
        : `${name} has no securityContext, so a patient/ scope cannot read it`;
    }
    if (action === 'create' && reach.kind === 'all') return null;
    const [type, id, ...rest] = context.split('/');
    if (!type || !id || rest.length > 0) return `${name}'s securityContext must be a relative reference (Type/id)`;
    let contextReach: Reach;
    try {
      contextReach = this.access.require(type, 'r');
    } catch {
      return `${name} is guarded by its securityContext ${context}; the token needs read access to ${type}`;
    }
    if (contextReach.kind === 'all') return null;
    if (type === 'Patient' && id === contextReach.patientId) return null;
    const target = await this.store.readReference({ reference: context }).catch(() => undefined);
    if (target && inPatientCompartment(target, contextReach.patientId)) return null;
    return `${name}'s securityContext ${context} is outside the launch patient's compartment (Patient/${contextReach.patientId})`;
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
      // A deleted resource still belongs where its last version was: re-creating it is a write to that. (Only
      // patient/ reach can be outside; user/ and system/ writes skip the history read.)
      const previous =
        current ??
        (resource.id && reach.kind === 'patient'
          ? await this.lastLiveVersion(resource.resourceType, resource.id)
          : undefined);
      if (previous) await this.assertWithin(previous, reach, 'write');
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
    if (reach.kind === 'patient') {
      const versions = await this.allVersions(resourceType, id);
      const wanted = versions.find((entry) => entry.response?.etag === `W/"${versionId}"`);
      if (wanted && !(await this.visibleVersions(versions, reach)).includes(wanted)) {
        forbid(`Version ${versionId} of ${resourceType}/${id} is outside the launch patient's compartment`);
      }
    }
    const version = await this.store.readVersion<T>(resourceType, id, versionId);
    await this.assertWithin(version, reach, 'read');
    return version;
  }

  /** History with only the versions the token may read (a resource may have moved between compartments). */
  async readHistory<T extends Resource>(
    resourceType: string,
    id: string,
    options?: { offset?: number; limit?: number },
  ): Promise<Bundle<WithId<T>>> {
    const reach = this.reach(resourceType, 'r');
    if (reach.kind === 'all') return this.store.readHistory<T>(resourceType, id, options);
    const visible = await this.visibleVersions(await this.allVersions<T>(resourceType, id), reach);
    if (visible.length === 0) forbid(`${resourceType}/${id} is outside the launch patient's compartment`);
    const offset = options?.offset ?? 0;
    const entry = visible.slice(offset, offset + (options?.limit ?? this.store.limits.maxCount));
    return { resourceType: 'Bundle', type: 'history', total: visible.length, entry };
  }

  /** Every version of a resource, deletions included, newest first. */
  private async allVersions<T extends Resource>(resourceType: string, id: string): Promise<BundleEntry<WithId<T>>[]> {
    const history = await this.store.readHistory<T>(resourceType, id, { offset: 0, limit: Number.MAX_SAFE_INTEGER });
    return history.entry ?? [];
  }

  /** The last version before a deletion, or undefined when the resource never existed. */
  private async lastLiveVersion(resourceType: string, id: string): Promise<Resource | undefined> {
    try {
      return (await this.allVersions(resourceType, id)).find((entry) => entry.resource)?.resource;
    } catch (err) {
      if (err instanceof OperationOutcomeError && err.outcome.id === 'not-found') return undefined;
      throw err;
    }
  }

  /** The versions (newest first) within `reach`: each stored version by itself, a deletion by the version it ended. */
  private async visibleVersions<E extends BundleEntry>(newestFirst: readonly E[], reach: Reach): Promise<E[]> {
    const visible: E[] = [];
    let previousVisible = false;
    for (const entry of [...newestFirst].reverse()) {
      previousVisible = entry.resource ? (await this.outside(entry.resource, reach, 'read')) === null : previousVisible;
      if (previousVisible) visible.unshift(entry);
    }
    return visible;
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

  searchByReference<T extends Resource>(
    request: SearchRequest<T>,
    referenceField: string,
    references: string[],
  ): Promise<Record<string, WithId<T>[]>> {
    return searchEachReference((r) => this.search(r), request, referenceField, references);
  }
}
