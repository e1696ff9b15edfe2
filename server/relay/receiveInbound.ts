/**
 * Files one inbound SMS in the EHR in at most three FHIR round trips (docs/decisions/052):
 * 1. a batch: is the SID already filed? who holds the sender's number (Patient, RelatedPerson)?
 * 2. a transaction: header, message, media, consent, Task — all conditional, so a replay or a race writes nothing;
 * 3. unless it was a keyword: one batch that leaves the thread open, first in the inbox and waiting — the
 *    needs-response Task touched, reopened or created, and a closed header reopened (versioned updates).
 */
import { badRequest } from '@medplum/core';
import type { Bundle, BundleEntry, Communication, Patient, RelatedPerson, Task } from '@medplum/fhirtypes';
import { TOKENS } from '../../fhir-profiles/vocabulary';
import { keywordConsentEntries } from './applyKeyword';
import type { RelayContext } from './context';
import { keywordOf, type Keyword } from './detectKeyword';
import { FhirStoreError, matches } from './fhirStore';
import {
  inboundTransaction,
  isWaiting,
  needsResponseTask,
  OPEN_TASK_STATUSES,
  reopened,
  reopenedThread,
  touched,
  type FetchedMedia,
} from './fileInbound';
import { decideSender, senderSearch, type SenderMatch } from './matchSender';
import { toE164 } from './normalisePhone';
import type { InboundSms } from './parseInbound';
import { SmsGatewayError } from './smsGateway';
import { updateVersionedBatch, versionedWrite } from './updateVersioned';

export type InboundOutcome = 'filed' | 'unmatched' | 'duplicate';

export interface InboundResult {
  outcome: InboundOutcome;
  keyword: Keyword | undefined;
  /** Set when filed: the new Communication's id. */
  communicationId?: string;
}

/** Largest media item the relay stores (Twilio's MMS limit is 5 MB per message). */
const MAX_MEDIA_BYTES = 5 * 1024 * 1024;

/** The id and outcome of a written entry: from its resource, or (Prefer: return=minimal) its location. */
function writtenEntry(response: Bundle, index: number): { id: string | undefined; created: boolean } {
  const entry: BundleEntry | undefined = response.entry?.[index];
  const status = entry?.response?.status ?? '';
  const location = entry?.response?.location?.replace(/\/_history\/.*$/, '');
  return { id: entry?.resource?.id ?? location?.split('/').pop(), created: status.startsWith('201') };
}

function searchEntry(url: string): BundleEntry {
  return { request: { method: 'GET', url } };
}

function bundleMatches<T extends Communication | Patient | RelatedPerson | Task>(
  response: Bundle,
  index: number,
  type: T['resourceType'],
): T[] {
  const entry = response.entry?.[index];
  const status = entry?.response?.status ?? '200';
  if (!status.startsWith('2')) {
    const code = Number.parseInt(status, 10) || 500;
    throw new FhirStoreError(code, entry?.response?.outcome ?? badRequest(`Batch search failed with ${status}`));
  }
  const bundle = entry?.resource as Bundle | undefined;
  return bundle ? matches<T>(bundle, type) : [];
}

/** Round trip 1: the SID and the sender's number, in one batch. */
async function lookUp(
  ctx: RelayContext,
  sms: InboundSms,
  fromE164: string | undefined,
): Promise<{ existing: Communication | undefined; match: SenderMatch }> {
  const query = (params: Record<string, string>): string => new URLSearchParams(params).toString();
  const entries = [searchEntry(`Communication?${query({ identifier: TOKENS.twilioSid(sms.sid), _count: '1' })}`)];
  if (fromE164) {
    const search = senderSearch(fromE164) as Record<string, string>;
    entries.push(searchEntry(`Patient?${query(search)}`), searchEntry(`RelatedPerson?${query(search)}`));
  }
  const response = await ctx.fhir.bundle({ resourceType: 'Bundle', type: 'batch', entry: entries });
  const existing = bundleMatches<Communication>(response, 0, 'Communication')[0];
  if (!fromE164) return { existing, match: { kind: 'none' } };
  const patients = bundleMatches<Patient>(response, 1, 'Patient');
  const related = bundleMatches<RelatedPerson>(response, 2, 'RelatedPerson');
  return { existing, match: decideSender(fromE164, patients, related, ctx.settings.region) };
}

/**
 * The message's media from Twilio, all items at once (at most 10). Twilio unreachable (or 5xx/429): throw, so the
 * webhook is retried. A media item Twilio refuses for good (deleted, 404) or one too large is left out and counted, so
 * the text still gets filed.
 */
async function fetchMedia(ctx: RelayContext, sms: InboundSms): Promise<{ media: FetchedMedia[]; missing: number }> {
  const fetched = await Promise.all(
    sms.media.map(async (item): Promise<FetchedMedia | undefined> => {
      try {
        const one = await ctx.sms.fetchMedia(item.url);
        if (one.data.byteLength > MAX_MEDIA_BYTES)
          throw new SmsGatewayError('too large', { status: 413, ambiguous: false });
        return { contentType: one.contentType || item.contentType, data: one.data };
      } catch (err) {
        const transient =
          err instanceof SmsGatewayError && (err.status === 0 || err.status === 429 || err.status >= 500);
        if (!(err instanceof SmsGatewayError) || transient) throw err;
        ctx.log.warn(
          { sid: sms.sid, status: err.status },
          'a media item could not be stored; the text is filed without it',
        );
        return undefined;
      }
    }),
  );
  const media = fetched.filter((item): item is FetchedMedia => item !== undefined);
  return { media, missing: fetched.length - media.length };
}

/**
 * Round trip 3: one batch that puts the thread first in the inbox, waiting. The needs-response Task: a waiting one is
 * touched (its `lastModified` moves, owner and start of the wait kept); else the latest closed one is reopened (owner
 * kept); else one is created, conditionally, so a concurrent inbound from the same thread cannot open a second. A
 * closed header is opened again. Each update is versioned (ADR 071).
 */
async function openNeedsResponse(
  ctx: RelayContext,
  header: Communication,
  patient: string,
  tasks: Task[],
  at: string,
  now: Date,
): Promise<void> {
  const thread = `Communication/${header.id ?? ''}`;
  const waiting = tasks.find(isWaiting);
  const latest = [...tasks].sort((a, b) => (b.meta?.lastUpdated ?? '').localeCompare(a.meta?.lastUpdated ?? ''))[0];
  const task = waiting ?? latest;
  const writes = [versionedWrite(header, reopenedThread)];
  const create: BundleEntry[] = [];
  if (task) {
    writes.push(
      versionedWrite(task, (current) => (isWaiting(current) ? touched(current, at) : reopened(current, now))),
    );
  } else {
    const open = new URLSearchParams({
      focus: thread,
      code: TOKENS.needsResponse,
      status: OPEN_TASK_STATUSES.join(','),
    });
    create.push({
      resource: needsResponseTask(thread, patient, now),
      request: { method: 'POST', url: 'Task', ifNoneExist: open.toString() },
    });
  }
  await updateVersionedBatch(ctx.fhir, writes, create);
}

/** Files an inbound SMS; throws when the EHR cannot be reached (the caller retries, reconciliation backs it up). */
export async function receiveInbound(ctx: RelayContext, sms: InboundSms): Promise<InboundResult> {
  const keyword = keywordOf(sms.body, sms.optOutType);
  const fromE164 = toE164(sms.from, ctx.settings.region);
  // Media from Twilio and round trip 1 do not wait for each other; a replay's media are fetched for nothing.
  const fetching = sms.media.length > 0 ? fetchMedia(ctx, sms) : undefined;
  // A replay answers "duplicate" whatever its media do; the fetch is awaited (or found failed) below otherwise.
  fetching?.catch(() => undefined);
  const { existing, match } = await lookUp(ctx, sms, fromE164);
  if (existing) return { outcome: 'duplicate', keyword, communicationId: existing.id };

  const { media, missing } = fetching ? await fetching : { media: [], missing: 0 };
  const now = ctx.clock.now();
  const transaction = inboundTransaction({
    sms,
    match,
    media,
    missingMedia: missing,
    // A keyword is answered automatically; it needs no reply from staff.
    openTask: keyword === undefined,
    extraEntries: (messageFullUrl) =>
      keywordConsentEntries({
        keyword,
        match,
        sid: sms.sid,
        body: sms.body,
        messageFullUrl,
        settings: ctx.settings,
        now,
      }),
    settings: ctx.settings,
    now,
  });
  const response = await ctx.fhir.bundle(transaction.bundle, { minimal: true });
  const message = writtenEntry(response, transaction.messageIndex);
  if (!message.created) return { outcome: 'duplicate', keyword, communicationId: message.id };

  if (
    match.kind === 'one' &&
    transaction.taskSearchIndex !== undefined &&
    transaction.headerSearchIndex !== undefined
  ) {
    const tasks = bundleMatches<Task>(response, transaction.taskSearchIndex, 'Task');
    const [header] = bundleMatches<Communication>(response, transaction.headerSearchIndex, 'Communication');
    const at = sms.receivedAt ?? now.toISOString();
    if (header?.id) await openNeedsResponse(ctx, header, match.patient, tasks, at, now);
  }
  const outcome: InboundOutcome = match.kind === 'one' ? 'filed' : 'unmatched';
  ctx.log.info(
    { communication: message.id, sid: sms.sid, outcome, match: match.kind, keyword, media: media.length },
    'inbound filed',
  );
  return { outcome, keyword, communicationId: message.id };
}
