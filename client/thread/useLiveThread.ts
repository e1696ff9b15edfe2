/**
 * Step 6 of the flow, "Show": while the thread is open, poll for what changed since the last change we saw
 * (`_lastUpdated=gt…`, every ~1.5 s, paused while the tab is hidden) and merge it into the thread, so a reply or a
 * delivery update shows within 2 s. docs/decisions/042-live-updates-by-polling.md
 */
import type { Bundle, Communication } from '@medplum/fhirtypes';
import { useQuery, useQueryClient, type QueryClient, type UseQueryResult } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
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
/*
 * Each poll looks `APP_CONFIG.pollOverlapMs` behind its cursor while the cursor is new. The cursor is the newest
 * change the client knows, and some of those it learns from its own writes (read marks, sends): a change someone else
 * made just before (an inbound text the relay was filing) has an earlier stamp and would otherwise never be fetched.
 * Such a change is visible within that time of its stamp, so once the cursor has stood still that long (on the
 * client's own clock, so clock skew does not matter) polls ask from the cursor itself and an idle thread's poll is
 * empty. Results are merged by id, so the overlap only costs a repeat of the last few seconds' changes.
 */
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
  overlap: boolean,
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
  const from = overlap ? new Date(Date.parse(since) - APP_CONFIG.pollOverlapMs).toISOString() : since;
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
  // When the poll cursor last moved (client clock).
  const cursorMovedAt = useRef(0);
  useEffect(() => {
    if (!loaded) return;
    const timer = setTimeout(() => setStarted(true), APP_CONFIG.pollIntervalMs);
    return () => clearTimeout(timer);
  }, [loaded]);
  // The first poll, and every poll for a while after the cursor moved, look behind the cursor (see above).
  const poll = async (): Promise<string> => {
    const previous = client.getQueryData<string>(liveKeys.cursor(patientId));
    const overlap = previous === undefined || Date.now() - cursorMovedAt.current < APP_CONFIG.pollOverlapMs;
    const cursor = await pollOnce(session, client, patientId, previous, overlap);
    if (cursor !== previous) cursorMovedAt.current = Date.now();
    return cursor;
  };
  return useQuery({
    queryKey: liveKeys.cursor(patientId),
    queryFn: poll,
    enabled: loaded && started,
    refetchInterval: APP_CONFIG.pollIntervalMs,
    // Paused while the tab is hidden; resumes at once when it is shown again.
    refetchIntervalInBackground: false,
    refetchOnWindowFocus: 'always',
    staleTime: 0,
    retry: false,
  });
}
