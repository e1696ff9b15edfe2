/**
 * The inbox's reads as react-query options: the tab counts, the pages of a tab, and the latest messages of the
 * threads on screen. Polled every 15 s while the inbox is visible, so a new text shows without reload.
 * docs/decisions/070-inbox-queries.md
 */
import type { Bundle, Resource } from '@medplum/fhirtypes';
import {
  infiniteQueryOptions,
  queryOptions,
  type InfiniteData,
  type QueryKeyWithDataTag,
  type UndefinedInitialDataInfiniteOptions,
} from '@tanstack/react-query';
import { isFhirError } from '../fhir/fhirErrors';
import type { FhirSession } from '../fhir/smartClient';
import type { Query } from '../thread/threadQueries';
import { inboxKeys } from './inboxKeys';
import { readActivityBatch, readInboxPage, type InboxPage, type ThreadActivity } from './inboxModel';
import { activityBatch, countsBatch, INBOX_TABS, pageSearch, type InboxTab, type Me } from './inboxSearches';

/** How often the open inbox looks for changes. */
export const INBOX_POLL_MS = 15_000;
/** Rows per page. */
export const INBOX_PAGE_SIZE = 25;

/**
 * Sends a batch; an EHR that does not take batches at its base gets the same GETs one by one (in parallel), so the
 * inbox still works, with more requests.
 */
export async function runBatch(session: FhirSession, batch: Bundle, signal?: AbortSignal): Promise<Bundle> {
  try {
    return await session.bundle(batch, signal);
  } catch (error) {
    const unsupported =
      isFhirError(error, 'rejected') ||
      isFhirError(error, 'not-found') ||
      (isFhirError(error, 'server') && error.status === 501);
    if (!unsupported) throw error;
    const entries = await Promise.all(
      (batch.entry ?? []).map(async (entry) => {
        try {
          const resource = await session.followLink<Resource>(entry.request?.url ?? '', signal);
          return { resource: resource as Resource, response: { status: '200' } };
        } catch (failure) {
          const status = isFhirError(failure) && failure.status ? failure.status : 500;
          return { response: { status: String(status) } };
        }
      }),
    );
    return { resourceType: 'Bundle', type: 'batch-response', entry: entries };
  }
}

export type InboxCounts = Partial<Record<InboxTab, number>>;

/** Every tab's count in one batch of `_summary=count` searches. */
export function countsQuery(session: FhirSession, me: Me): Query<InboxCounts, ReturnType<typeof inboxKeys.counts>> {
  return queryOptions({
    queryKey: inboxKeys.counts(me),
    queryFn: async ({ signal }): Promise<InboxCounts> => {
      const response = await runBatch(session, countsBatch(me), signal);
      const counts: InboxCounts = {};
      INBOX_TABS.forEach(({ id }, index) => {
        const result = response.entry?.[index]?.resource;
        if (result?.resourceType === 'Bundle' && typeof result.total === 'number') counts[id] = result.total;
      });
      return counts;
    },
    refetchInterval: INBOX_POLL_MS,
    refetchIntervalInBackground: false,
    staleTime: 5_000,
  });
}

/** The pages of a tab, latest activity first; `next` links lead on. */
type PageKey = ReturnType<typeof inboxKeys.page>;

export function tabPagesQuery(
  session: FhirSession,
  tab: InboxTab,
  me: Me,
): UndefinedInitialDataInfiniteOptions<
  InboxPage,
  Error,
  InfiniteData<InboxPage, string | undefined>,
  PageKey,
  string | undefined
> &
  QueryKeyWithDataTag<PageKey, InfiniteData<InboxPage>, Error> {
  return infiniteQueryOptions({
    queryKey: inboxKeys.page(tab, me),
    queryFn: async ({ pageParam, signal }): Promise<InboxPage> => {
      if (pageParam) return readInboxPage(tab, await session.followLink(pageParam, signal));
      const { resourceType, params } = pageSearch(tab, me, INBOX_PAGE_SIZE);
      return readInboxPage(tab, await session.search(resourceType as Resource['resourceType'], params, signal));
    },
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last: InboxPage) => last.next,
    refetchInterval: INBOX_POLL_MS,
    refetchIntervalInBackground: false,
    staleTime: 5_000,
  });
}

/** The pages loaded so far, flattened. */
export function rowsOf(data: InfiniteData<InboxPage> | undefined): InboxPage['rows'] {
  const seen = new Set<string>();
  return (data?.pages ?? []).flatMap((page) =>
    page.rows.filter((row) => (seen.has(row.key) ? false : (seen.add(row.key), true))),
  );
}

/** One thread whose latest messages a row shows. */
export interface ActivityRequest {
  headerReference: string;
  waitingSince?: string;
  /** Changes when the row changes, so the activity is read again. */
  version: string;
}

/** The latest messages of the threads on screen, in one batch. */
export function activityQuery(
  session: FhirSession,
  threads: readonly ActivityRequest[],
): Query<Map<string, ThreadActivity>, ReturnType<typeof inboxKeys.activity>> {
  return queryOptions({
    queryKey: inboxKeys.activity(threads.map((t) => `${t.headerReference}@${t.version}`)),
    queryFn: async ({ signal }): Promise<Map<string, ThreadActivity>> =>
      readActivityBatch(await runBatch(session, activityBatch(threads.map((t) => t.headerReference)), signal), threads),
    enabled: threads.length > 0,
    staleTime: INBOX_POLL_MS,
    refetchInterval: INBOX_POLL_MS,
    refetchIntervalInBackground: false,
    placeholderData: (previous) => previous,
  });
}
