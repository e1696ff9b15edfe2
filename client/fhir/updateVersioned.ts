/**
 * A versioned update (`If-Match`, https://hl7.org/fhir/R4/http.html#concurrency) that survives a concurrent change:
 * on 412 the resource is read again and the same edit applied to what is there now, once. Two staff members acting
 * on one item never overwrite each other's change unseen.
 */
import type { Resource } from '@medplum/fhirtypes';
import { isFhirError } from './fhirErrors';
import type { FhirSession } from './smartClient';

type Saved<T> = T & { id: string };

/**
 * Applies `edit` to `current` and saves it; `edit` may return undefined when, as read again, there is nothing left
 * to do (someone else did it).
 */
export async function updateVersioned<T extends Resource>(
  session: FhirSession,
  current: Saved<T>,
  edit: (resource: Saved<T>) => Saved<T> | undefined,
): Promise<Saved<T>> {
  const save = async (resource: Saved<T>): Promise<Saved<T>> => {
    const next = edit(resource);
    if (!next) return resource;
    const versionId = resource.meta?.versionId;
    const { resource: written } = await session.update<T>(next, versionId ? { ifMatch: versionId } : {});
    return written as Saved<T>;
  };
  try {
    return await save(current);
  } catch (error) {
    if (!isFhirError(error, 'conflict')) throw error;
    const fresh = await session.read<T>(current.resourceType, current.id);
    return save({ ...fresh, id: current.id });
  }
}
