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

/** Distance from the end (px) within which the view counts as reading the newest message. */
const PINNED_WITHIN = 80;

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
  /** Called with the messages on screen (not the overscan) while the page is visible. */
  onSeen: (onScreen: readonly ThreadMessage[]) => void;
}

/** The virtualised message list. */
export function ThreadView(props: ThreadViewProps): ReactNode {
  const { messages, label, hasOlder, loadingOlder, onLoadOlder, you, actions, onSeen } = props;
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
    // Render the newest rows in the very first pass (before the scroll box is measured), not one frame later.
    initialRect: { width: 800, height: 800 },
    initialOffset: () => Math.max(0, rows.length * 84 - 800),
    followOnAppend: true,
    scrollEndThreshold: PINNED_WITHIN,
    overscan: 4,
    // React 19 warns when flushSync runs inside a render; a scroll-driven update one frame later is not visible.
    useFlushSync: false,
  });

  // Pinned to the newest message until the user scrolls up; while pinned, new messages keep the view at the end.
  const pinned = useRef(true);
  const lastTop = useRef(0);
  const atStartOnce = useRef(false);
  const lastKey = rowKey(rows.at(-1));
  useLayoutEffect(() => {
    if (rows.length <= 1 || !pinned.current) return;
    atStartOnce.current = true;
    virtualizer.scrollToEnd();
  }, [lastKey, rows.length, virtualizer]);

  const maybeLoadOlder = useCallback(() => {
    const element = scrollRef.current;
    if (!element || !hasOlder || loadingOlder || !atStartOnce.current) return;
    if (element.scrollTop < LOAD_OLDER_WITHIN || element.scrollHeight <= element.clientHeight) onLoadOlder();
  }, [hasOlder, loadingOlder, onLoadOlder]);
  const onScroll = useCallback(() => {
    const element = scrollRef.current;
    if (element) {
      // Only the user scrolling up unpins; our own scrolling to the end (while rows are measured) never does.
      // The virtualizer's total size is current even before React re-renders the list's height.
      const top = element.scrollTop;
      if (virtualizer.getTotalSize() - top - element.clientHeight < PINNED_WITHIN) pinned.current = true;
      else if (top < lastTop.current) pinned.current = false;
      lastTop.current = top;
    }
    maybeLoadOlder();
  }, [maybeLoadOlder, virtualizer]);
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
    const onScreen: ThreadMessage[] = [];
    for (let i = startIndex; i <= endIndex; i++) {
      const row = rows[i];
      if (row?.kind === 'message') onScreen.push(row.message);
    }
    onSeen(onScreen);
  }, [startIndex, endIndex, rows, onSeen]);

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
      <div className="thread" ref={scrollRef} onScroll={onScroll} role="region" aria-label={label} tabIndex={0}>
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
