/**
 * The thread as the screen needs it: loaded pages flattened oldest-first, plus paging controls.
 */
import { useInfiniteQuery, type UseInfiniteQueryResult } from '@tanstack/react-query';
import { useMemo } from 'react';
import { useSession } from '../app/sessionContext';
import type { ThreadMessage } from './messageModel';
import { flattenThread, type ThreadData } from './threadCache';
import { threadQuery } from './threadQueries';

export interface Thread {
  messages: ThreadMessage[];
  query: UseInfiniteQueryResult<ThreadData>;
}

/** The patient's SMS thread, latest page first; `query.fetchNextPage()` loads older messages. */
export function useThread(patientId: string): Thread {
  const session = useSession();
  const query = useInfiniteQuery(threadQuery(session, patientId));
  const messages = useMemo(() => flattenThread(query.data), [query.data]);
  return { messages, query };
}
