/**
 * One row of the inbox, readable at a glance: who (name and birth date, or the unknown number), the latest message,
 * how long the oldest unanswered message has waited, who owns it, and how many replies nobody has opened.
 */
import type { ReactNode } from 'react';
import { birthDateLabel } from '../app/PatientBanner';
import { formatPhone } from './phoneForms';
import { agoLabel, unreadLabel, waitLabel, type InboxRow, type ThreadActivity } from './inboxModel';

export interface InboxRowViewProps {
  row: InboxRow;
  activity: ThreadActivity | undefined;
  /** Activity is still loading (the snippet shows a placeholder). */
  activityPending: boolean;
  selected: boolean;
  now: Date;
  onOpen: (row: InboxRow) => void;
}

function shortDate(iso: string): string {
  return new Intl.DateTimeFormat(undefined, {
    month: 'short',
    day: 'numeric',
    year: 'numeric',
    timeZone: 'UTC',
  }).format(new Date(`${iso.slice(0, 10)}T00:00:00Z`));
}

/** A row as a button that opens the thread (or the unknown number's message) beside the list. */
export function InboxRowView({ row, activity, activityPending, selected, now, onOpen }: InboxRowViewProps): ReactNode {
  if (row.kind === 'triage') {
    return (
      <button
        type="button"
        className="inbox-row inbox-row--triage"
        aria-current={selected ? 'true' : undefined}
        onClick={() => onOpen(row)}
      >
        <span className="inbox-row__top">
          <span className="inbox-row__who">{row.fromNumber ? formatPhone(row.fromNumber) : 'Unknown number'}</span>
          {row.receivedAt && <span className="inbox-row__wait">{agoLabel(row.receivedAt, now)}</span>}
        </span>
        <span className="inbox-row__snippet">{row.text || '(no text)'}</span>
        <span className="inbox-row__meta">Not matched to a patient</span>
      </button>
    );
  }
  const closed = row.header !== undefined;
  const newSinceClosed =
    closed && activity?.direction === 'inbound' && !!activity.at && activity.at > (row.header?.meta?.lastUpdated ?? '');
  return (
    <button
      type="button"
      className={`inbox-row${activity && activity.unread > 0 ? ' inbox-row--unread' : ''}`}
      aria-current={selected ? 'true' : undefined}
      onClick={() => onOpen(row)}
    >
      <span className="inbox-row__top">
        <span className="inbox-row__who">
          {row.patientName ?? 'Unnamed patient'}
          {row.birthDate && <span className="inbox-row__born"> · {birthDateLabel(row.birthDate, now)}</span>}
        </span>
        {row.waitingSince && !closed && (
          <span className="inbox-row__wait">
            <span className="visually-hidden">Waiting </span>
            {waitLabel(row.waitingSince, now)}
          </span>
        )}
        {closed && <span className="inbox-row__wait">Closed {shortDate(row.updatedAt)}</span>}
      </span>
      <span className="inbox-row__snippet">
        {activity ? (
          <>
            {activity.direction === 'outbound' && <span className="inbox-row__you">Practice: </span>}
            {activity.snippet || '(no messages yet)'}
          </>
        ) : activityPending ? (
          <span className="inbox-row__loading">Loading latest message…</span>
        ) : (
          '—'
        )}
      </span>
      <span className="inbox-row__meta">
        {!closed && (
          <span className={row.owner ? 'inbox-row__owner' : 'inbox-row__owner inbox-row__owner--none'}>
            {row.owner ? `Assigned to ${row.owner.name ?? 'a colleague'}` : 'Unassigned'}
          </span>
        )}
        {row.counterpart && <span>Texts with {row.counterpart.name ?? 'a family member'}</span>}
        {newSinceClosed && <span className="inbox-row__new">New message since closed</span>}
        {activity && activity.unread > 0 && (
          <span className="badge">
            {unreadLabel(activity)}
            <span className="visually-hidden"> unread</span>
          </span>
        )}
      </span>
    </button>
  );
}
