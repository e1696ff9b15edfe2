/**
 * The practice inbox (launch without a patient): tabs with counts (needs response, assigned to me, unassigned,
 * unknown numbers, closed), the threads of the chosen tab, latest activity first, page by page, and the chosen
 * thread opened beside the list with the same thread view as the chart. Loaded as its own chunk (React.lazy), so
 * the chart's first load does not carry it.
 */
import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { useEffect, useId, useMemo, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';
import { useSession } from '../app/sessionContext';
import { Problem } from '../app/StatusScreens';
import { InboxRowView } from './InboxRowView';
import type { InboxRow, ThreadRow } from './inboxModel';
import { activityQuery, countsQuery, rowsOf, tabPagesQuery, type ActivityRequest } from './inboxQueries';
import { INBOX_TABS, type InboxTab } from './inboxSearches';
import { ThreadPane } from './ThreadPane';
import { TriagePane } from './triage/TriagePane';
import './inbox.css';

type Selection = { kind: 'thread'; row: ThreadRow } | { kind: 'triage'; row: Extract<InboxRow, { kind: 'triage' }> };

const EMPTY: Record<InboxTab, string> = {
  'needs-response': 'No conversation is waiting for a reply.',
  mine: 'Nothing is assigned to you.',
  unassigned: 'Every waiting conversation has someone on it.',
  unknown: 'No texts from unknown numbers.',
  closed: 'No closed conversations.',
};

function useNow(everyMs: number): Date {
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    const timer = setInterval(() => setNow(new Date()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}

function Tabs({
  tab,
  counts,
  onChange,
  panelId,
  idPrefix,
}: {
  tab: InboxTab;
  counts: Partial<Record<InboxTab, number>> | undefined;
  onChange: (tab: InboxTab) => void;
  panelId: string;
  idPrefix: string;
}): ReactNode {
  const refs = useRef(new Map<InboxTab, HTMLButtonElement>());
  // WAI-ARIA tabs: arrow keys move between tabs, Home/End jump (https://www.w3.org/WAI/ARIA/apg/patterns/tabs/).
  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>): void => {
    const index = INBOX_TABS.findIndex((t) => t.id === tab);
    const moves: Record<string, number> = {
      ArrowRight: index + 1,
      ArrowLeft: index - 1,
      Home: 0,
      End: INBOX_TABS.length - 1,
    };
    const target = moves[event.key];
    if (target === undefined) return;
    event.preventDefault();
    const next = INBOX_TABS[(target + INBOX_TABS.length) % INBOX_TABS.length];
    if (!next) return;
    onChange(next.id);
    refs.current.get(next.id)?.focus();
  };
  return (
    <div className="tabs" role="tablist" aria-label="Inbox views" onKeyDown={onKeyDown}>
      {INBOX_TABS.map(({ id, label }) => {
        const count = counts?.[id];
        return (
          <button
            key={id}
            ref={(element) => {
              if (element) refs.current.set(id, element);
            }}
            type="button"
            role="tab"
            id={`${idPrefix}-${id}`}
            aria-selected={tab === id}
            aria-controls={panelId}
            tabIndex={tab === id ? 0 : -1}
            className="tab"
            onClick={() => onChange(id)}
          >
            <span className="tab__label">{label}</span>
            <span className={`tab__count${count ? '' : ' tab__count--zero'}`} data-count={count ?? ''}>
              {count === undefined ? '–' : count.toLocaleString()}
            </span>
          </button>
        );
      })}
    </div>
  );
}

/** The practice inbox. */
export function InboxScreen(): ReactNode {
  const session = useSession();
  const ids = useId();
  const now = useNow(30_000);
  const me = useMemo(() => (session.grant.fhirUser ? [session.grant.fhirUser] : []), [session.grant.fhirUser]);
  const [tab, setTab] = useState<InboxTab>('needs-response');
  const [selection, setSelection] = useState<Selection | undefined>(undefined);
  const counts = useQuery(countsQuery(session, me));
  const pages = useInfiniteQuery(tabPagesQuery(session, tab, me));
  const rows = useMemo(() => rowsOf(pages.data), [pages.data]);
  const threads = useMemo(
    () =>
      rows.flatMap((row): ActivityRequest[] =>
        row.kind === 'thread' && row.headerReference
          ? [
              {
                headerReference: row.headerReference,
                ...(row.waitingSince ? { waitingSince: row.waitingSince } : {}),
                version: row.updatedAt,
              },
            ]
          : [],
      ),
    [rows],
  );
  const activity = useQuery(activityQuery(session, threads));
  const panelId = `${ids}-panel`;
  const selectedKey = selection?.row.key;

  const open = (row: InboxRow): void =>
    setSelection(row.kind === 'thread' ? { kind: 'thread', row } : { kind: 'triage', row });
  const back = (): void => setSelection(undefined);

  let list: ReactNode;
  if (pages.isPending) {
    list = (
      <p className="inbox__state" role="status">
        Loading conversations…
      </p>
    );
  } else if (pages.isError && !pages.data) {
    list = <Problem error={pages.error} what="load the inbox" onRetry={() => void pages.refetch()} />;
  } else if (rows.length === 0) {
    list = <p className="inbox__state">{EMPTY[tab]}</p>;
  } else {
    list = (
      <>
        <ul className="inbox__rows">
          {rows.map((row) => (
            <li key={row.key}>
              <InboxRowView
                row={row}
                activity={
                  row.kind === 'thread' && row.headerReference ? activity.data?.get(row.headerReference) : undefined
                }
                activityPending={activity.isPending}
                selected={row.key === selectedKey}
                now={now}
                onOpen={open}
              />
            </li>
          ))}
        </ul>
        {pages.hasNextPage && (
          <button
            type="button"
            className="button inbox__more"
            disabled={pages.isFetchingNextPage}
            onClick={() => void pages.fetchNextPage()}
          >
            {pages.isFetchingNextPage ? 'Loading…' : 'Show more'}
          </button>
        )}
      </>
    );
  }

  let detail: ReactNode;
  if (selection?.kind === 'thread') {
    detail = <ThreadPane key={selection.row.key} row={selection.row} now={now} onBack={back} />;
  } else if (selection?.kind === 'triage') {
    detail = (
      <TriagePane
        key={selection.row.key}
        row={selection.row}
        now={now}
        onBack={back}
        onClosed={back}
        onLinked={(patientId, headerReference) =>
          setSelection({
            kind: 'thread',
            row: { kind: 'thread', key: headerReference, patientId, headerReference, updatedAt: '' },
          })
        }
      />
    );
  } else {
    detail = (
      <div className="inbox-detail inbox-detail--empty">
        <p>Choose a conversation to read it and reply.</p>
      </div>
    );
  }

  return (
    <main className={`inbox${selection ? ' inbox--detail-open' : ''}`} aria-labelledby={`${ids}-title`}>
      <header className="inbox__head">
        <h1 id={`${ids}-title`}>Practice inbox</h1>
        <Tabs
          tab={tab}
          counts={counts.data}
          panelId={panelId}
          idPrefix={ids}
          onChange={(next) => {
            setTab(next);
            setSelection(undefined);
          }}
        />
        {counts.isError && (
          <span className="inbox__warning" role="status">
            Counts unavailable: {counts.error.message}
          </span>
        )}
      </header>
      <div className="inbox__body">
        <div className="inbox__list" role="tabpanel" id={panelId} aria-labelledby={`${ids}-${tab}`} tabIndex={-1}>
          {pages.isError && pages.data && (
            <p className="notice notice--warning" role="status">
              Could not refresh: {pages.error.message}
            </p>
          )}
          {list}
        </div>
        {detail}
      </div>
    </main>
  );
}

export default InboxScreen;
