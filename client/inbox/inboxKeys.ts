/**
 * The practice inbox's react-query keys. Small on purpose: the thread (in the chart's bundle) imports it to refresh
 * the inbox after a reply without loading the inbox's code.
 */
import { taskKeys } from '../thread/threadQueries';

export const inboxKeys = {
  /** Everything the inbox shows (counts, pages, activity): invalidate after any change to a work item. */
  all: [...taskKeys.all, 'inbox'] as const,
  counts: (me: readonly string[]) => [...inboxKeys.all, 'counts', ...me] as const,
  page: (tab: string, me: readonly string[]) => [...inboxKeys.all, 'page', tab, ...me] as const,
  activity: (headers: readonly string[]) => [...inboxKeys.all, 'activity', ...headers] as const,
};
