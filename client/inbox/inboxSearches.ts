/**
 * The searches behind the practice inbox, as plain URLs and Bundles (no React): opening the inbox costs three
 * requests whatever the number of open threads: one batch of `_summary=count` searches for the tab counts, one page
 * of Tasks with their patients and assignees included, and one batch with the latest messages of the threads on that
 * page. docs/decisions/070-inbox-queries.md
 */
import type { Bundle } from '@medplum/fhirtypes';
import { TOKENS } from '../../fhir-profiles/vocabulary';
import { OPEN_TASK_STATUSES } from '../thread/threadQueries';

export type InboxTab = 'needs-response' | 'mine' | 'unassigned' | 'unknown' | 'closed';

/** The tabs, in the order they show. */
export const INBOX_TABS: readonly { id: InboxTab; label: string }[] = [
  { id: 'needs-response', label: 'Needs response' },
  { id: 'mine', label: 'Assigned to me' },
  { id: 'unassigned', label: 'Unassigned' },
  { id: 'unknown', label: 'Unknown numbers' },
  { id: 'closed', label: 'Closed' },
];

/** A search: the resource type and its filter (no paging, sorting or includes). */
export interface TabSearch {
  resourceType: 'Task' | 'Communication';
  params: [string, string][];
}

/** Who "me" is for the "Assigned to me" tab: the user's own reference(s) (Practitioner and their roles). */
export type Me = readonly string[];

/** The filter that defines a tab. "Assigned to me" without a signed-in user matches nothing the server could name. */
export function tabSearch(tab: InboxTab, me: Me): TabSearch {
  const open: [string, string] = ['status', OPEN_TASK_STATUSES.join(',')];
  switch (tab) {
    case 'needs-response':
      return { resourceType: 'Task', params: [['code', TOKENS.needsResponse], open] };
    case 'mine':
      return {
        resourceType: 'Task',
        params: [['code', TOKENS.needsResponse], open, ['owner', me.length > 0 ? me.join(',') : 'Practitioner/none']],
      };
    case 'unassigned':
      return { resourceType: 'Task', params: [['code', TOKENS.needsResponse], open, ['owner:missing', 'true']] };
    case 'unknown':
      return { resourceType: 'Task', params: [['code', TOKENS.triageUnmatched], open] };
    case 'closed':
      return {
        resourceType: 'Communication',
        params: [
          ['category', TOKENS.threadHeader],
          ['status', 'completed'],
        ],
      };
  }
}

/** `Type?query` relative to the base. */
export function relativeUrl(resourceType: string, params: URLSearchParams): string {
  return `${resourceType}?${params.toString()}`;
}

/** The count of one tab: the total only, no resources (`_summary=count`). */
export function countSearch(tab: InboxTab, me: Me): { resourceType: string; params: URLSearchParams } {
  const { resourceType, params } = tabSearch(tab, me);
  return { resourceType, params: new URLSearchParams([...params, ['_summary', 'count']]) };
}

/** One batch Bundle with every tab's count: one round trip for all the numbers on the tabs. */
export function countsBatch(me: Me): Bundle {
  return {
    resourceType: 'Bundle',
    type: 'batch',
    entry: INBOX_TABS.map(({ id }) => {
      const { resourceType, params } = countSearch(id, me);
      return { request: { method: 'GET', url: relativeUrl(resourceType, params) } };
    }),
  };
}

/**
 * A page of a tab, latest activity first (`_sort=-_lastUpdated`): the Tasks (or closed thread headers) with what
 * each row names included, so a page is one request however many rows it has.
 */
export function pageSearch(tab: InboxTab, me: Me, pageSize: number): { resourceType: string; params: URLSearchParams } {
  const { resourceType, params } = tabSearch(tab, me);
  const includes =
    tab === 'unknown'
      ? ['Task:focus']
      : resourceType === 'Task'
        ? ['Task:patient', 'Task:owner']
        : ['Communication:subject', 'Communication:recipient'];
  return {
    resourceType,
    params: new URLSearchParams([
      ...params,
      ['_sort', '-_lastUpdated'],
      ['_count', String(pageSize)],
      ...includes.map((include): [string, string] => ['_include', include]),
    ]),
  };
}

/** How many of a thread's latest messages a row reads (snippet and unread count; "10+" beyond). */
export const ACTIVITY_MESSAGES = 10;

/** The latest messages of one thread, newest first. */
export function activitySearch(headerReference: string): URLSearchParams {
  return new URLSearchParams([
    ['part-of', headerReference],
    ['_sort', '-sent'],
    ['_count', String(ACTIVITY_MESSAGES)],
  ]);
}

/** One batch Bundle with the latest messages of each thread on a page (one round trip, not one per row). */
export function activityBatch(headerReferences: readonly string[]): Bundle {
  return {
    resourceType: 'Bundle',
    type: 'batch',
    entry: headerReferences.map((reference) => ({
      request: { method: 'GET', url: relativeUrl('Communication', activitySearch(reference)) },
    })),
  };
}
