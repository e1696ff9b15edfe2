/** FhirRepository.searchByReference (used by the router for `_revinclude`-style lookups), shared by both repositories. */
import type { SearchRequest, WithId } from '@medplum/core';
import type { Bundle, Resource } from '@medplum/fhirtypes';

/** Runs `request` once per reference with `referenceField` = that reference, through `search` (so its access rules apply). */
export async function searchEachReference<T extends Resource>(
  search: (request: SearchRequest<T>) => Promise<Bundle<WithId<T>>>,
  request: SearchRequest<T>,
  referenceField: string,
  references: readonly string[],
): Promise<Record<string, WithId<T>[]>> {
  const out: Record<string, WithId<T>[]> = {};
  for (const reference of references) {
    const bundle = await search({
      ...request,
      filters: [...(request.filters ?? []), { code: referenceField, operator: 'eq', value: reference }],
    });
    out[reference] = (bundle.entry ?? []).flatMap((e) => (e.resource ? [e.resource] : []));
  }
  return out;
}
