/**
 * Inbox rows as the screen shows them, read from the search Bundles of inboxSearches.ts (pure): who the thread is
 * with, how long the oldest unanswered message has waited, who owns the answer, the latest message and how many
 * replies nobody has opened yet (docs/decisions/046-read-state.md).
 */
import type { Bundle, BundleEntry, Communication, Patient, Resource, Task } from '@medplum/fhirtypes';
import { CODE_SYSTEMS, CODES, codeFrom, EXTENSIONS } from '../../fhir-profiles/vocabulary';
import { formatName } from '../thread/messageModel';
import { readAtOf } from '../thread/useMarkRead';
import { ACTIVITY_MESSAGES, type InboxTab } from './inboxSearches';

type Saved<T> = T & { id: string };

/** A person as a row names them. */
export interface PersonLabel {
  reference: string;
  name?: string;
}

/** A thread waiting for (or done with) the practice. */
export interface ThreadRow {
  kind: 'thread';
  /** Stable React key: the Task's or header's reference. */
  key: string;
  patientId: string;
  patientName?: string;
  birthDate?: string;
  /** The thread header (`Communication/<id>`), the Task's focus. */
  headerReference?: string;
  /** The open needs-response Task (absent in the closed tab). */
  task?: Saved<Task>;
  /** The closed header (closed tab). */
  header?: Saved<Communication>;
  /** When the oldest unanswered message arrived. */
  waitingSince?: string;
  owner?: PersonLabel;
  /** Family member on the other end, for a thread with a related person. */
  counterpart?: PersonLabel;
  updatedAt: string;
}

/** An inbound text from a number that matched nobody, or several people. */
export interface TriageRow {
  kind: 'triage';
  key: string;
  task: Saved<Task>;
  message?: Saved<Communication>;
  /** E.164, from the message's from-number extension. */
  fromNumber?: string;
  text: string;
  receivedAt?: string;
  updatedAt: string;
}

export type InboxRow = ThreadRow | TriageRow;

export interface InboxPage {
  rows: InboxRow[];
  next?: string;
  total?: number;
}

function saved<T extends Resource>(resource: T | undefined): resource is Saved<T> {
  return typeof resource?.id === 'string';
}

function byReference(entries: BundleEntry[]): Map<string, Resource> {
  const found = new Map<string, Resource>();
  for (const entry of entries) {
    const r = entry.resource;
    if (saved(r)) found.set(`${r.resourceType}/${r.id}`, r);
  }
  return found;
}

/** A staff member, family member or patient by name; a role by its practitioner's display or its code. */
export function personName(resource: Resource | undefined): string | undefined {
  if (!resource) return undefined;
  if (
    resource.resourceType === 'Patient' ||
    resource.resourceType === 'Practitioner' ||
    resource.resourceType === 'RelatedPerson'
  ) {
    return formatName(resource.name);
  }
  if (resource.resourceType === 'PractitionerRole') {
    return resource.practitioner?.display ?? resource.code?.[0]?.text;
  }
  return undefined;
}

function label(
  reference: { reference?: string; display?: string } | undefined,
  found: Map<string, Resource>,
): PersonLabel | undefined {
  if (!reference?.reference) return undefined;
  const name = personName(found.get(reference.reference)) ?? reference.display;
  return { reference: reference.reference, ...(name ? { name } : {}) };
}

function idOf(reference: string | undefined, type: string): string | undefined {
  const [kind, id] = (reference ?? '').split('/');
  return kind === type && id ? id : undefined;
}

/** The text of a message: its strings, else a word for its attachments. */
export function messageText(message: Communication | undefined): string {
  const strings = (message?.payload ?? []).flatMap((p) => (p.contentString ? [p.contentString] : []));
  if (strings.length > 0) return strings.join(' ');
  const pictures = (message?.payload ?? []).filter((p) => p.contentAttachment).length;
  return pictures > 0 ? `(${pictures === 1 ? 'a picture' : `${pictures} pictures`})` : '';
}

function threadRowFromTask(task: Saved<Task>, found: Map<string, Resource>): ThreadRow | undefined {
  const patientId = idOf(task.for?.reference, 'Patient');
  if (!patientId) return undefined;
  const patient = found.get(`Patient/${patientId}`) as Patient | undefined;
  const owner = label(task.owner, found);
  const waitingSince = task.executionPeriod?.start ?? task.authoredOn;
  const patientName = formatName(patient?.name);
  return {
    kind: 'thread',
    key: `Task/${task.id}`,
    patientId,
    ...(patientName ? { patientName } : {}),
    ...(patient?.birthDate ? { birthDate: patient.birthDate } : {}),
    ...(task.focus?.reference ? { headerReference: task.focus.reference } : {}),
    task,
    ...(waitingSince ? { waitingSince } : {}),
    ...(owner ? { owner } : {}),
    updatedAt: task.meta?.lastUpdated ?? '',
  };
}

function triageRow(task: Saved<Task>, found: Map<string, Resource>): TriageRow {
  const message = found.get(task.focus?.reference ?? '') as Saved<Communication> | undefined;
  const fromNumber = message?.extension?.find((e) => e.url === EXTENSIONS.fromNumber)?.valueString;
  const receivedAt = message?.received ?? message?.sent ?? task.authoredOn;
  return {
    kind: 'triage',
    key: `Task/${task.id}`,
    task,
    ...(message ? { message } : {}),
    ...(fromNumber ? { fromNumber } : {}),
    text: messageText(message),
    ...(receivedAt ? { receivedAt } : {}),
    updatedAt: task.meta?.lastUpdated ?? '',
  };
}

function closedRow(header: Saved<Communication>, found: Map<string, Resource>): ThreadRow | undefined {
  const patientId = idOf(header.subject?.reference, 'Patient');
  if (!patientId) return undefined;
  const patient = found.get(`Patient/${patientId}`) as Patient | undefined;
  const patientName = formatName(patient?.name);
  const counterpart = label(
    header.recipient?.find((r) => r.reference?.startsWith('RelatedPerson/')),
    found,
  );
  return {
    kind: 'thread',
    key: `Communication/${header.id}`,
    patientId,
    ...(patientName ? { patientName } : {}),
    ...(patient?.birthDate ? { birthDate: patient.birthDate } : {}),
    headerReference: `Communication/${header.id}`,
    header,
    ...(counterpart ? { counterpart } : {}),
    updatedAt: header.meta?.lastUpdated ?? '',
  };
}

/** Reads one page of a tab. */
export function readInboxPage(tab: InboxTab, bundle: Bundle): InboxPage {
  const entries = bundle.entry ?? [];
  const found = byReference(entries);
  const rows: InboxRow[] = [];
  for (const entry of entries) {
    if (entry.search?.mode === 'include') continue;
    const r = entry.resource;
    if (!saved(r)) continue;
    if (tab === 'closed') {
      if (r.resourceType === 'Communication') {
        const row = closedRow(r, found);
        if (row) rows.push(row);
      }
    } else if (r.resourceType === 'Task') {
      const task = r as Saved<Task>;
      const row = tab === 'unknown' ? triageRow(task, found) : threadRowFromTask(task, found);
      if (row) rows.push(row);
    }
  }
  const next = bundle.link?.find((l) => l.relation === 'next')?.url;
  return { rows, ...(next ? { next } : {}), ...(bundle.total !== undefined ? { total: bundle.total } : {}) };
}

/** What a row shows of the thread's latest messages. */
export interface ThreadActivity {
  snippet: string;
  at?: string;
  direction?: string;
  /** Inbound messages since the wait began that nobody has opened. */
  unread: number;
  /** True when every message of a full page was unread: there may be more ("10+"). */
  unreadAtLeast: boolean;
}

/** The activity of one thread from its latest messages (newest first). */
export function readActivity(
  messages: readonly Communication[],
  waitingSince: string | undefined,
  pageSize = ACTIVITY_MESSAGES,
): ThreadActivity {
  const latest = messages[0];
  let unread = 0;
  for (const m of messages) {
    const inbound = codeFrom(m.category, CODE_SYSTEMS.direction) === CODES.direction.inbound;
    const at = m.received ?? m.sent ?? '';
    if (inbound && !readAtOf(m) && (!waitingSince || at >= waitingSince)) unread++;
  }
  const at = latest?.sent ?? latest?.received ?? latest?.meta?.lastUpdated;
  const direction = latest ? codeFrom(latest.category, CODE_SYSTEMS.direction) : undefined;
  return {
    snippet: messageText(latest),
    ...(at ? { at } : {}),
    ...(direction ? { direction } : {}),
    unread,
    unreadAtLeast: unread > 0 && unread === messages.length && messages.length >= pageSize,
  };
}

/** Reads the batch of activity searches: one entry per header, in the order asked. */
export function readActivityBatch(
  response: Bundle,
  threads: readonly { headerReference: string; waitingSince?: string }[],
): Map<string, ThreadActivity> {
  const result = new Map<string, ThreadActivity>();
  threads.forEach((thread, index) => {
    const searchset = response.entry?.[index]?.resource;
    if (searchset?.resourceType !== 'Bundle') return;
    const messages = (searchset.entry ?? [])
      .map((e) => e.resource)
      .filter((r): r is Communication => r?.resourceType === 'Communication');
    result.set(thread.headerReference, readActivity(messages, thread.waitingSince));
  });
  return result;
}

/** "just now", "12 min", "3 h 5 min", "2 d 4 h": how long something has waited. */
export function waitLabel(since: string, now: Date): string {
  const minutes = Math.max(0, Math.floor((now.getTime() - Date.parse(since)) / 60_000));
  if (minutes < 1) return 'just now';
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return minutes % 60 === 0 ? `${hours} h` : `${hours} h ${minutes % 60} min`;
  const days = Math.floor(hours / 24);
  return hours % 24 === 0 ? `${days} d` : `${days} d ${hours % 24} h`;
}

/** "just now" or "12 min ago": when something arrived. */
export function agoLabel(since: string, now: Date): string {
  const wait = waitLabel(since, now);
  return wait === 'just now' ? wait : `${wait} ago`;
}

/** "10+" when there may be more than were read. */
export function unreadLabel(activity: ThreadActivity): string {
  return activity.unreadAtLeast ? `${activity.unread}+` : String(activity.unread);
}
