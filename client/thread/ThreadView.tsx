/**
 * The conversation, virtualised (@tanstack/react-virtual, end-anchored: https://tanstack.com/virtual/latest/docs/chat):
 * only the rows on screen are in the DOM, so 10,000 messages open and scroll like 50. Newest at the bottom; older
 * pages load as the user scrolls up (or presses "Show earlier messages"); day separators between days.
 */
import { useVirtualizer } from '@tanstack/react-virtual';
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { CODES } from '../../fhir-profiles/vocabulary';
import type { ThreadMessage } from './messageModel';
import { MessageRow, type RowActions } from './MessageRow';
import { dayKey, dayLabel } from './timeLabels';

type Row =
  { kind: 'start' } | { kind: 'day'; day: string; label: string } | { kind: 'message'; message: ThreadMessage };

/** Rows for the list: a start row, then each day's separator followed by its messages. */
export function buildRows(messages: readonly ThreadMessage[], now: Date, timeZone?: string): Row[] {
  const rows: Row[] = [{ kind: 'start' }];
  let lastDay: string | undefined;
  for (const message of messages) {
    const day = dayKey(message.at, timeZone);
    if (day !== lastDay) {
      rows.push({ kind: 'day', day, label: dayLabel(message.at, now, timeZone) });
      lastDay = day;
    }
    rows.push({ kind: 'message', message });
  }
  return rows;
}

function rowKey(row: Row | undefined): string {
  if (!row || row.kind === 'start') return 'start';
  if (row.kind === 'day') return `day:${row.day}`;
  // The client id keeps an outbound row's key when its optimistic copy is replaced by the saved one.
  return `msg:${row.message.clientMessageId ?? row.message.id}`;
}

/** Distance from the top (px) at which older messages start loading. */
const LOAD_OLDER_WITHIN = 400;

/** A clock that ticks while something on screen depends on elapsed time (pending messages). */
function useNow(ticking: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!ticking) return;
    const timer = setInterval(() => setNow(Date.now()), 5_000);
    return () => clearInterval(timer);
  }, [ticking]);
  return now;
}

export interface ThreadViewProps {
  messages: readonly ThreadMessage[];
  /** Accessible name of the conversation region. */
  label: string;
  hasOlder: boolean;
  loadingOlder: boolean;
  onLoadOlder: () => void;
  /** The signed-in user's reference (their messages read "You"). */
  you: string | undefined;
  actions: RowActions;
  /** Called with the time of the newest inbound message on screen while the page is visible. */
  onSeenInbound: (at: string) => void;
}

/** The virtualised message list. */
export function ThreadView(props: ThreadViewProps): ReactNode {
  const { messages, label, hasOlder, loadingOlder, onLoadOlder, you, actions, onSeenInbound } = props;
  const scrollRef = useRef<HTMLDivElement>(null);
  const ticking = messages.some((m) => m.delivery?.kind === 'pending');
  const now = useNow(ticking);
  const rows = useMemo(() => buildRows(messages, new Date(now)), [messages, now]);

  // eslint-disable-next-line react-hooks/incompatible-library -- the virtualizer is read during render by design.
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: (index) => (rows[index]?.kind === 'message' ? 84 : 44),
    getItemKey: (index) => rowKey(rows[index]),
    anchorTo: 'end',
    followOnAppend: true,
    scrollEndThreshold: 80,
    overscan: 4,
  });

  const atStartOnce = useRef(false);
  useLayoutEffect(() => {
    if (atStartOnce.current || rows.length <= 1) return;
    atStartOnce.current = true;
    virtualizer.scrollToEnd();
  }, [rows.length, virtualizer]);

  const maybeLoadOlder = useCallback(() => {
    const element = scrollRef.current;
    if (!element || !hasOlder || loadingOlder || !atStartOnce.current) return;
    if (element.scrollTop < LOAD_OLDER_WITHIN || element.scrollHeight <= element.clientHeight) onLoadOlder();
  }, [hasOlder, loadingOlder, onLoadOlder]);
  // A short first page may not fill the screen: then there is nothing to scroll, so load on.
  useEffect(() => {
    const element = scrollRef.current;
    if (element && element.scrollHeight <= element.clientHeight) maybeLoadOlder();
  }, [rows.length, maybeLoadOlder]);

  const range = virtualizer.range;
  const startIndex = range?.startIndex;
  const endIndex = range?.endIndex;
  useEffect(() => {
    if (startIndex === undefined || endIndex === undefined || document.visibilityState !== 'visible') return;
    let latest: string | undefined;
    for (let i = startIndex; i <= endIndex; i++) {
      const row = rows[i];
      if (row?.kind === 'message' && row.message.direction === CODES.direction.inbound && row.message.resource) {
        if (!latest || row.message.at > latest) latest = row.message.at;
      }
    }
    if (latest) onSeenInbound(latest);
  }, [startIndex, endIndex, rows, onSeenInbound]);

  // Announce replies that arrive while the thread is open (not the history that loads).
  const [announcement, setAnnouncement] = useState('');
  const lastId = useRef<string | undefined>(undefined);
  const newest = messages.at(-1);
  useEffect(() => {
    if (!newest) return;
    if (lastId.current !== undefined && newest.id !== lastId.current && newest.direction === CODES.direction.inbound) {
      setAnnouncement(`New message from ${newest.senderName ?? 'the patient'}: ${newest.text}`);
    }
    lastId.current = newest.id;
  }, [newest]);

  return (
    <>
      <div className="thread" ref={scrollRef} onScroll={maybeLoadOlder} role="region" aria-label={label} tabIndex={0}>
        <div role="list" className="thread__list" style={{ height: virtualizer.getTotalSize() }}>
          {virtualizer.getVirtualItems().map((item) => {
            const row = rows[item.index];
            return (
              <div
                key={item.key}
                role="listitem"
                data-index={item.index}
                ref={virtualizer.measureElement}
                className={`row row--${row?.kind ?? 'start'}`}
                style={{ transform: `translateY(${item.start}px)` }}
              >
                {row?.kind === 'message' && <MessageRow message={row.message} you={you} now={now} actions={actions} />}
                {row?.kind === 'day' && <h2 className="day">{row.label}</h2>}
                {row?.kind === 'start' &&
                  (loadingOlder ? (
                    <p className="thread__start">Loading earlier messages…</p>
                  ) : hasOlder ? (
                    <button type="button" className="link-button thread__start" onClick={onLoadOlder}>
                      Show earlier messages
                    </button>
                  ) : (
                    <p className="thread__start">Start of the conversation</p>
                  ))}
              </div>
            );
          })}
        </div>
      </div>
      <div className="visually-hidden" aria-live="polite" aria-atomic="true">
        {announcement}
      </div>
    </>
  );
}
