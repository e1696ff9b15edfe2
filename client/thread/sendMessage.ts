/**
 * Step 2 of the flow, "Write": the resources the client creates and how, without React. The thread header is found
 * by its key or created with `If-None-Exist`, so two tabs never make two; each message carries a client UUID and is
 * created with `If-None-Exist` on it, so a retried POST never makes two. DESIGN.md "Data conventions";
 * docs/decisions/043-thread-header-and-key.md, 045-sending-and-nudge.md.
 */
import type { Communication } from '@medplum/fhirtypes';
import { threadKey } from '../../fhir-profiles/threadKey';
import { CODES, CONCEPTS, IDENTIFIER_SYSTEMS, PROFILES, TOKENS } from '../../fhir-profiles/vocabulary';
import { isFhirError } from '../fhir/fhirErrors';
import type { FhirSession } from '../fhir/smartClient';

type Saved = Communication & { id: string };

/**
 * The header Communication of a thread with the practice number (no payload, no partOf): the patient's own, or
 * with a related person texting about the patient (`participant`, then also the header's recipient).
 */
export function buildThreadHeader(
  patientId: string,
  practiceNumberE164: string,
  participant = `Patient/${patientId}`,
): Communication {
  return {
    resourceType: 'Communication',
    meta: { profile: [PROFILES.threadHeader] },
    identifier: [{ system: IDENTIFIER_SYSTEMS.thread, value: threadKey(participant, practiceNumberE164) }],
    status: 'in-progress',
    category: [CONCEPTS.kind(CODES.communicationKind.threadHeader)],
    medium: [CONCEPTS.smsMedium],
    subject: { reference: `Patient/${patientId}` },
    ...(participant === `Patient/${patientId}` ? {} : { recipient: [{ reference: participant }] }),
    topic: { text: 'Text messages' },
  };
}

export interface OutboundDraft {
  patientId: string;
  /** The signed-in user (`fhirUser`), recorded as sender. */
  sender: string;
  headerId: string;
  text: string;
  /** A UUID made when the user pressed Send; the idempotency key of the create. */
  clientMessageId: string;
}

/** The outbound message as created: `preparation`, waiting for the relay; it never names the destination number. */
export function buildOutboundMessage(draft: OutboundDraft): Communication {
  return {
    resourceType: 'Communication',
    meta: { profile: [PROFILES.outboundMessage] },
    identifier: [{ system: IDENTIFIER_SYSTEMS.clientMessageId, value: draft.clientMessageId }],
    status: 'preparation',
    category: [CONCEPTS.kind(CODES.communicationKind.message), CONCEPTS.direction(CODES.direction.outbound)],
    medium: [CONCEPTS.smsMedium],
    subject: { reference: `Patient/${draft.patientId}` },
    recipient: [{ reference: `Patient/${draft.patientId}` }],
    sender: { reference: draft.sender },
    partOf: [{ reference: `Communication/${draft.headerId}` }],
    payload: [{ contentString: draft.text }],
  };
}

/** `If-None-Exist` query for an identifier token. */
function identifierCondition(token: string): string {
  return `identifier=${encodeURIComponent(token)}`;
}

function saved(resource: Communication): Saved {
  if (!resource.id) throw new Error('The EHR saved a Communication without an id.');
  return resource as Saved;
}

/**
 * Finds the thread header, creating it if missing and reopening it if the front desk closed it. `participant` is
 * who texts on the patient's side (the patient, or a RelatedPerson on a shared phone).
 */
export async function ensureThreadHeader(
  session: FhirSession,
  patientId: string,
  practiceNumberE164: string,
  participant = `Patient/${patientId}`,
): Promise<Saved> {
  const token = TOKENS.thread(threadKey(participant, practiceNumberE164));
  const found = await session.search<Communication>(
    'Communication',
    new URLSearchParams([
      ['identifier', token],
      ['subject', `Patient/${patientId}`],
    ]),
  );
  let header = found.entry
    ?.map((e) => e.resource)
    .find((r): r is Saved => r?.resourceType === 'Communication' && !!r.id);
  header ??= saved(
    (
      await session.create(buildThreadHeader(patientId, practiceNumberE164, participant), {
        ifNoneExist: identifierCondition(token),
      })
    ).resource,
  );
  if (header.status === 'completed') {
    try {
      const versionId = header.meta?.versionId;
      header = saved(
        (await session.update({ ...header, status: 'in-progress' }, versionId ? { ifMatch: versionId } : {})).resource,
      );
    } catch (error) {
      // Someone reopened or changed it first: whatever they wrote, the header exists, which is all a message needs.
      if (!isFhirError(error, 'conflict')) throw error;
    }
  }
  return header;
}

/** Creates the message; the same clientMessageId always yields the same Communication. */
export async function createOutboundMessage(session: FhirSession, draft: OutboundDraft): Promise<Saved> {
  const { resource } = await session.create(buildOutboundMessage(draft), {
    ifNoneExist: identifierCondition(TOKENS.clientMessageId(draft.clientMessageId)),
  });
  return saved(resource);
}
