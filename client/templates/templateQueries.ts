/**
 * What filling a template reads: the practice's templates (from the app's origin) and the practice Organization
 * (name and phone). The patient and the signed-in user's name come from the thread's own cached queries.
 */
import type { Organization } from '@medplum/fhirtypes';
import { queryOptions } from '@tanstack/react-query';
import { APP_CONFIG } from '../config';
import type { FhirSession } from '../fhir/smartClient';
import { organizationKeys, type Query } from '../thread/threadQueries';
import type { TemplateSet } from './templateFormat';

export const templateKeys = { all: ['Templates'] as const };

/** The practice's templates; a refusal says what the server said (e.g. a broken template file). */
export function templatesQuery(): Query<TemplateSet, typeof templateKeys.all> {
  return queryOptions({
    queryKey: templateKeys.all,
    queryFn: async ({ signal }): Promise<TemplateSet> => {
      let response: Response;
      try {
        response = await fetch(APP_CONFIG.templatesPath, { signal, credentials: 'same-origin' });
      } catch (error) {
        if (error instanceof DOMException && error.name === 'AbortError') throw error;
        throw new Error('The templates could not be loaded: ChartText’s server cannot be reached.');
      }
      if (!response.ok) {
        const body = (await response.json().catch(() => undefined)) as
          { issue?: { diagnostics?: string }[] } | undefined;
        throw new Error(
          body?.issue?.[0]?.diagnostics ?? `The templates could not be loaded (HTTP ${response.status}).`,
        );
      }
      return (await response.json()) as TemplateSet;
    },
    // An administrator's edit shows the next time the picker opens after a minute.
    staleTime: 60_000,
    retry: false,
  });
}

/** The practice Organization (name, phone) for filling templates. */
export function organizationQuery(
  session: FhirSession,
  organizationId: string,
): Query<Organization, readonly [...ReturnType<typeof organizationKeys.detail>, 'resource']> {
  return queryOptions({
    queryKey: [...organizationKeys.detail(organizationId), 'resource'] as const,
    queryFn: ({ signal }) => session.read<Organization>('Organization', organizationId, signal),
    staleTime: 10 * 60_000,
  });
}
