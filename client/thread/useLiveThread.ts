/**
 * Step 6 of the flow, "Show": while the thread is open, poll for what changed since the last change we saw
 * (`_lastUpdated=gt…`, every ~1.5 s, paused while the tab is hidden) and merge it into the thread, so a reply or a
 * delivery update shows within 2 s. docs/decisions/042-live-updates-by-polling.md
 */
import type { Bundle, Communication } from '@medplum/fhirtypes';
import { useQuery, useQueryClient, type QueryClient, type UseQueryResult } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { CODES } from '../../fhir-profiles/vocabulary';
import { useSession } from '../app/sessionContext';
import { APP_CONFIG } from '../config';
import type { FhirSession } from '../fhir/smartClient';
import { readThreadPage } from './messageModel';
import { latestUpdate, mergeMessages, type ThreadData } from './threadCache';
import { communicationKeys, taskKeys } from './threadQueries';
import { changesSearch, isSmsMessage, unsentSearch } from './threadSearches';

/** How far back the first poll looks when the thread is empty (server clocks and ours may differ). */
const EMPTY_THREAD_LOOKBACK_MS = 5 * 60_000;
/**
 * Each poll looks this far behind its cursor. The cursor is the newest change the client knows, and some of those it
 * learns from its own writes (read marks, sends): a change someone else made just before (an inbound text the relay
 * was filing) has an earlier stamp and would otherwise never be fetched. Results are merged by id, so the overlap
 * only costs a repeat of the last few seconds' changes; an idle thread's poll stays empty.
 */
export const POLL_OVERLAP_MS = 10_000;
/** A burst of changes is read in at most this many pages per poll; the rest comes next poll. */
const MAX_PAGES_PER_POLL = 5;

export const liveKeys = {
  cursor: (patientId: string) => [...communicationKeys.thread(patientId), 'live-cursor'] as const,
};

async function pollOnce(
  session: FhirSession,
  client: QueryClient,
  patientId: string,
  previous: string | undefined,
): Promise<string> {
  const threadKey = communicationKeys.thread(patientId);
  const merge = (bundle: Bundle): { next?: string; latest?: string; inbound: boolean } => {
    const page = readThreadPage(bundle);
    const messages = page.messages.filter((m) => m.resource && isSmsMessage(m.resource));
    client.setQueryData<ThreadData>(threadKey, (data) => mergeMessages(data, messages));
    // The cursor follows every change seen, SMS or not, so the same results are not fetched again.
    const latest = page.messages.reduce<string | undefined>(
      (max, m) => (m.updatedAt && (!max || m.updatedAt > max) ? m.updatedAt : max),
      undefined,
    );
    return {
      ...(page.next ? { next: page.next } : {}),
      ...(latest ? { latest } : {}),
      inbound: messages.some((m) => m.direction === CODES.direction.inbound),
    };
  };

  let since = previous;
  if (since === undefined) {
    // First poll: pick up unsent messages that `_sort=-sent` may have left off the first page.
    merge(await session.search<Communication>('Communication', unsentSearch(patientId)));
    since =
      latestUpdate(client.getQueryData<ThreadData>(threadKey)) ??
      new Date(Date.now() - EMPTY_THREAD_LOOKBACK_MS).toISOString();
  }

  let cursor = since;
  const from = new Date(Date.parse(since) - POLL_OVERLAP_MS).toISOString();
  let result = merge(await session.search<Communication>('Communication', changesSearch(patientId, from)));
  let sawInbound = result.inbound;
  for (let pages = 1; ; pages++) {
    if (result.latest && result.latest > cursor) cursor = result.latest;
    if (!result.next || pages >= MAX_PAGES_PER_POLL) break;
    result = merge(await session.followLink(result.next));
    sawInbound ||= result.inbound;
  }
  if (sawInbound) void client.invalidateQueries({ queryKey: taskKeys.needsResponse(patientId) });
  return cursor;
}

/**
 * Polls for changes once the first page has loaded (`loaded`), starting one interval later so that opening the
 * thread costs only its own requests. The query's data is the poll cursor.
 */
export function useLiveThread(patientId: string, loaded: boolean): UseQueryResult<string> {
  const session: FhirSession = useSession();
  const client: QueryClient = useQueryClient();
  const [started, setStarted] = useState(false);
  useEffect(() => {
    if (!loaded) return;
    const timer = setTimeout(() => setStarted(true), APP_CONFIG.pollIntervalMs);
    return () => clearTimeout(timer);
  }, [loaded]);
  return useQuery({
    queryKey: liveKeys.cursor(patientId),
    queryFn: () => pollOnce(session, client, patientId, client.getQueryData<string>(liveKeys.cursor(patientId))),
    enabled: loaded && started,
    refetchInterval: APP_CONFIG.pollIntervalMs,
    // Paused while the tab is hidden; resumes at once when it is shown again.
    refetchIntervalInBackground: false,
    refetchOnWindowFocus: 'always',
    staleTime: 0,
    retry: false,
  });
}
