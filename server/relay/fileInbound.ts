/**
 * The resources an inbound SMS becomes (DESIGN.md, "Data conventions"), as pure builders, and the one FHIR
 * transaction that writes them together: the thread header (found or created on its key), the message (conditional
 * on its Twilio SID), its media as Binary, consent for a keyword, and the needs-response or triage Task.
 * Conditional creates make the whole transaction a no-op when replayed (https://hl7.org/fhir/R4/http.html#trules).
 */
import type { Attachment, Bundle, BundleEntry, Communication, Task } from '@medplum/fhirtypes';
import { randomUUID } from 'node:crypto';
import { newNeedsResponseTask } from '../../fhir-profiles/needsResponseTask';
import { threadKey } from '../../fhir-profiles/threadKey';
import { CODES, CONCEPTS, EXTENSIONS, IDENTIFIER_SYSTEMS, PROFILES, TOKENS } from '../../fhir-profiles/vocabulary';
import type { RelaySettings } from './context';
import type { SenderMatch } from './matchSender';
import type { InboundSms } from './parseInbound';
import { sidIdentifier } from './outboundFields';
import { segmentsOf } from './recordSendResult';

/** A token search value `system|code` with FHIR's escaping of `\`, `|`, `,` and `$` in the code (search.html#escaping). */
export function tokenValue(system: string, code: string): string {
  return `${system}|${code.replace(/[\\|,$]/g, (character) => `\\${character}`)}`;
}

/** The query string `identifier=<system>|<value>`, escaped and URL-encoded (an E.164 `+` must not become a space). */
export function identifierQuery(system: string, value: string): string {
  return `identifier=${encodeURIComponent(tokenValue(system, value))}`;
}

/** One media item fetched from Twilio, ready to be stored. */
export interface FetchedMedia {
  contentType: string;
  data: Uint8Array;
}

/** A thread header for `participant` (Patient or RelatedPerson) about `patient` on the practice number. */
export function threadHeader(participant: string, patient: string, practiceNumber: string): Communication {
  return {
    resourceType: 'Communication',
    meta: { profile: [PROFILES.threadHeader] },
    identifier: [{ system: IDENTIFIER_SYSTEMS.thread, value: threadKey(participant, practiceNumber) }],
    status: 'in-progress',
    category: [CONCEPTS.kind(CODES.communicationKind.threadHeader)],
    medium: [CONCEPTS.smsMedium],
    subject: { reference: patient },
    ...(participant === patient ? {} : { recipient: [{ reference: participant }] }),
    topic: { text: 'SMS conversation' },
  };
}

/** The inbound message: in a thread when the sender matched, otherwise unmatched (no subject) for triage. */
export function inboundMessage(
  sms: InboundSms,
  match: SenderMatch,
  threadRef: string | undefined,
  attachments: readonly Attachment[],
  settings: RelaySettings,
  now: Date,
  missingMedia = 0,
): Communication {
  const at = sms.receivedAt ?? now.toISOString();
  const one = match.kind === 'one' ? match : undefined;
  return {
    resourceType: 'Communication',
    meta: { profile: [one ? PROFILES.inboundMessage : PROFILES.unmatchedInbound] },
    identifier: [sidIdentifier(sms.sid)],
    status: 'completed',
    category: [
      CONCEPTS.kind(one ? CODES.communicationKind.message : CODES.communicationKind.unmatched),
      CONCEPTS.direction(CODES.direction.inbound),
    ],
    medium: [CONCEPTS.smsMedium],
    ...(one ? { subject: { reference: one.patient }, sender: { reference: one.participant } } : {}),
    recipient: [{ reference: settings.practiceOrganization }],
    ...(threadRef ? { partOf: [{ reference: threadRef }] } : {}),
    sent: at,
    received: at,
    payload: [
      // FHIR has no empty strings and the profile wants a payload: an empty SMS says so.
      ...(sms.body.length > 0 || attachments.length === 0 ? [{ contentString: sms.body || EMPTY_MESSAGE }] : []),
      ...attachments.map((contentAttachment) => ({ contentAttachment })),
      ...(missingMedia > 0 ? [{ contentString: missingMediaNote(missingMedia) }] : []),
    ],
    extension: [
      { url: EXTENSIONS.twilioStatus, valueCode: 'received' },
      { url: EXTENSIONS.fromNumber, valueString: sms.from },
      { url: EXTENSIONS.toNumber, valueString: sms.to },
      { url: EXTENSIONS.segmentCount, valuePositiveInt: sms.numSegments ?? segmentsOf(sms.body).count },
    ],
  };
}

/** What staff read when a picture of the message could not be fetched from Twilio. */
export function missingMediaNote(count: number): string {
  return count === 1
    ? '(1 picture in this message could not be retrieved from Twilio)'
    : `(${count} pictures in this message could not be retrieved from Twilio)`;
}

/** What an inbound SMS with neither text nor media shows. */
export const EMPTY_MESSAGE = '(empty message)';

/** A thread's needs-response Task, open and waiting since now. */
export function needsResponseTask(threadRef: string, patient: string, now: Date): Task {
  return newNeedsResponseTask(threadRef, patient, now.toISOString(), now);
}

/** A front-desk Task to match an unmatched message to a patient (one per message SID). */
export function triageTask(messageRef: string, sid: string, settings: RelaySettings, now: Date): Task {
  return {
    resourceType: 'Task',
    meta: { profile: [PROFILES.triageTask] },
    identifier: [{ system: IDENTIFIER_SYSTEMS.triage, value: sid }],
    status: 'requested',
    intent: 'order',
    code: CONCEPTS.task(CODES.task.triageUnmatched),
    businessStatus: CONCEPTS.taskBusinessStatus(CODES.taskBusinessStatus.waiting),
    focus: { reference: messageRef },
    requester: { reference: settings.practiceOrganization },
    authoredOn: now.toISOString(),
    lastModified: now.toISOString(),
  };
}

/** True when the Task is open and waiting for staff. */
export function isWaiting(task: Task): boolean {
  const open = task.status === 'requested' || task.status === 'ready' || task.status === 'received';
  return (
    open && task.businessStatus?.coding?.some((coding) => coding.code === CODES.taskBusinessStatus.waiting) === true
  );
}

/** The Task reopened: requested and waiting again since now, owner kept (pure). */
export function reopened(task: Task, now: Date): Task {
  return {
    ...task,
    status: 'requested',
    businessStatus: CONCEPTS.taskBusinessStatus(CODES.taskBusinessStatus.waiting),
    lastModified: now.toISOString(),
    executionPeriod: { ...task.executionPeriod, start: now.toISOString() },
  };
}

/**
 * The waiting Task touched by another text: `lastModified` moves to the message's time (never back), so its
 * `_lastUpdated` moves and the inbox lists the thread first; owner, status and the start of the wait stay (pure).
 */
export function touched(task: Task, at: string): Task {
  const previous = task.lastModified ? Date.parse(task.lastModified) : Number.NaN;
  return { ...task, lastModified: previous > Date.parse(at) ? (task.lastModified ?? at) : at };
}

/** The thread header open again (`in-progress`) when it was closed (`completed`); undefined otherwise (pure). */
export function reopenedThread(header: Communication): Communication | undefined {
  return header.status === 'completed' ? { ...header, status: 'in-progress' } : undefined;
}

/** Task statuses in which a needs-response Task is still open. */
export const OPEN_TASK_STATUSES = [
  'draft',
  'requested',
  'received',
  'accepted',
  'ready',
  'in-progress',
  'on-hold',
] as const;

/** The search for a thread's needs-response Tasks, newest first (`thread` may be a urn:uuid inside a transaction). */
export function needsResponseTaskSearch(thread: string): string {
  // The reference stays unencoded: a server swaps the urn:uuid placeholder in the URL as written (it is URL-safe).
  const query = new URLSearchParams({ code: TOKENS.needsResponse, _sort: '-_lastUpdated', _count: '20' });
  return `Task?focus=${thread}&${query.toString()}`;
}

export interface InboundTransaction {
  bundle: Bundle;
  /**
   * Index in `bundle.entry` of the message, of the header (matched sender), of the needs-response Task search and of
   * the header's search (both only when a Task is to be opened: a minimal response carries no header to read).
   */
  messageIndex: number;
  headerIndex: number | undefined;
  taskSearchIndex: number | undefined;
  headerSearchIndex: number | undefined;
}

/** The transaction filing one inbound message, with `extraEntries` (consents) added; needs no prior read. */
export function inboundTransaction(options: {
  sms: InboundSms;
  match: SenderMatch;
  media: readonly FetchedMedia[];
  /** Media items Twilio would not give (noted in the message). */
  missingMedia?: number;
  openTask: boolean;
  extraEntries: (messageFullUrl: string) => BundleEntry[];
  settings: RelaySettings;
  now: Date;
}): InboundTransaction {
  const { sms, match, settings, now } = options;
  const entries: BundleEntry[] = [];
  const messageUrl = `urn:uuid:${randomUUID()}`;
  let threadUrl: string | undefined;
  const key = match.kind === 'one' ? threadKey(match.participant, settings.practiceNumber) : undefined;
  if (match.kind === 'one' && key) {
    threadUrl = `urn:uuid:${randomUUID()}`;
    entries.push({
      fullUrl: threadUrl,
      resource: threadHeader(match.participant, match.patient, settings.practiceNumber),
      request: { method: 'POST', url: 'Communication', ifNoneExist: identifierQuery(IDENTIFIER_SYSTEMS.thread, key) },
    });
  }
  const attachments: Attachment[] = options.media.map((item) => {
    const fullUrl = `urn:uuid:${randomUUID()}`;
    entries.push({
      fullUrl,
      resource: {
        resourceType: 'Binary',
        contentType: item.contentType,
        data: Buffer.from(item.data).toString('base64'),
      },
      request: { method: 'POST', url: 'Binary' },
    });
    return { contentType: item.contentType, url: fullUrl, size: item.data.byteLength };
  });
  const messageIndex = entries.length;
  entries.push({
    fullUrl: messageUrl,
    resource: inboundMessage(sms, match, threadUrl, attachments, settings, now, options.missingMedia),
    request: {
      method: 'POST',
      url: 'Communication',
      ifNoneExist: identifierQuery(IDENTIFIER_SYSTEMS.twilioMessageSid, sms.sid),
    },
  });
  entries.push(...options.extraEntries(messageUrl));
  let taskSearchIndex: number | undefined;
  let headerSearchIndex: number | undefined;
  if (threadUrl && key && options.openTask) {
    // GET entries run last, with placeholders resolved: the thread's Tasks and header as they stand after this
    // transaction (the header's status and version: a closed thread is reopened in round trip 3).
    taskSearchIndex = entries.length;
    entries.push({ request: { method: 'GET', url: needsResponseTaskSearch(threadUrl) } });
    headerSearchIndex = entries.length;
    entries.push({
      request: { method: 'GET', url: `Communication?${identifierQuery(IDENTIFIER_SYSTEMS.thread, key)}` },
    });
  } else if (match.kind !== 'one') {
    entries.push({
      resource: triageTask(messageUrl, sms.sid, settings, now),
      request: { method: 'POST', url: 'Task', ifNoneExist: identifierQuery(IDENTIFIER_SYSTEMS.triage, sms.sid) },
    });
  }
  return {
    bundle: { resourceType: 'Bundle', type: 'transaction', entry: entries },
    messageIndex,
    headerIndex: threadUrl ? 0 : undefined,
    taskSearchIndex,
    headerSearchIndex,
  };
}
