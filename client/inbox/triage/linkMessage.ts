/**
 * Linking a text from an unknown or shared number to the person who sent it (docs/fhir.md, "Unmatched inbound
 * SMS"; ADR 31): the same Communication becomes an inbound SMS of that person's thread (subject, sender, partOf, kind
 * `message`, profile ChartTextInboundSms), the triage Task is closed as `linked` for the patient, the thread's
 * needs-response Task waits for an answer (as the relay would have done), and, when staff confirm, the number joins
 * the patient's telecom so the next text files itself. All in one FHIR transaction: it happens entirely or not at
 * all. docs/decisions/072-unknown-number-triage.md
 */
import type { Bundle, BundleEntry, Communication, Patient, Task } from '@medplum/fhirtypes';
import { newNeedsResponseTask } from '../../../fhir-profiles/needsResponseTask';
import { CODE_SYSTEMS, CODES, CONCEPTS, PROFILES, TOKENS } from '../../../fhir-profiles/vocabulary';
import type { FhirSession } from '../../fhir/smartClient';
import { ensureThreadHeader } from '../../thread/sendMessage';
import { OPEN_TASK_STATUSES } from '../../thread/threadQueries';
import { sameNumber } from '../phoneForms';
import { closedTriage, isOpenTask } from '../workItems';

type Saved<T> = T & { id: string };

/** Who sent the text: a patient, or a related person texting about a patient. */
export interface Sender {
  patientId: string;
  /** `Patient/<id>` or `RelatedPerson/<id>`. */
  participant: string;
}

/** The unmatched message as an inbound SMS of the sender's thread (pure). */
export function linkedMessage(message: Saved<Communication>, sender: Sender, headerId: string): Saved<Communication> {
  const category = (message.category ?? []).map((concept) =>
    concept.coding?.some((c) => c.system === CODE_SYSTEMS.communicationKind)
      ? CONCEPTS.kind(CODES.communicationKind.message)
      : concept,
  );
  const profiles = (message.meta?.profile ?? []).filter((p) => p !== PROFILES.unmatchedInbound);
  return {
    ...message,
    meta: {
      ...message.meta,
      profile: [PROFILES.inboundMessage, ...profiles.filter((p) => p !== PROFILES.inboundMessage)],
    },
    category,
    subject: { reference: `Patient/${sender.patientId}` },
    sender: { reference: sender.participant },
    partOf: [{ reference: `Communication/${headerId}` }],
  };
}

/** The patient with `e164` added as a mobile number, or undefined when the chart already has it (pure). */
export function withNumber(patient: Saved<Patient>, e164: string): Saved<Patient> | undefined {
  if ((patient.telecom ?? []).some((t) => sameNumber(t.value, e164))) return undefined;
  return { ...patient, telecom: [...(patient.telecom ?? []), { system: 'phone', use: 'mobile', value: e164 }] };
}

/** A new needs-response Task for the thread, waiting since the linked message arrived (as the relay builds it). */
export function needsResponseFor(headerId: string, patientId: string, since: string, now: Date): Task {
  return newNeedsResponseTask(`Communication/${headerId}`, `Patient/${patientId}`, since, now);
}

function put(resource: Saved<Task | Communication | Patient>): BundleEntry {
  const versionId = resource.meta?.versionId;
  return {
    resource,
    request: {
      method: 'PUT',
      url: `${resource.resourceType}/${resource.id}`,
      ...(versionId ? { ifMatch: `W/"${versionId}"` } : {}),
    },
  };
}

export interface LinkPlan {
  message: Saved<Communication>;
  triageTask: Saved<Task>;
  sender: Sender;
  headerId: string;
  /** The thread's needs-response Tasks, newest first. */
  threadTasks: Saved<Task>[];
  /** The patient with the number added (when staff confirmed and the chart lacks it). */
  patientWithNumber?: Saved<Patient>;
  now: Date;
}

/** The transaction that links the message (pure). Versioned PUTs: a colleague's concurrent change makes it fail whole. */
export function linkTransaction(plan: LinkPlan): Bundle {
  const { message, triageTask, sender, headerId, now } = plan;
  const entries: BundleEntry[] = [
    put(linkedMessage(message, sender, headerId)),
    put(closedTriage(triageTask, 'linked', now, `Patient/${sender.patientId}`)),
  ];
  if (plan.patientWithNumber) entries.push(put(plan.patientWithNumber));
  const since = message.received ?? message.sent ?? now.toISOString();
  if (!plan.threadTasks.some(isOpenTask)) {
    const latest = plan.threadTasks[0];
    if (latest) {
      entries.push(
        put({
          ...latest,
          status: 'requested',
          businessStatus: CONCEPTS.taskBusinessStatus(CODES.taskBusinessStatus.waiting),
          lastModified: now.toISOString(),
          executionPeriod: { start: since },
        }),
      );
    } else {
      const open = new URLSearchParams([
        ['focus', `Communication/${headerId}`],
        ['code', TOKENS.needsResponse],
        ['status', OPEN_TASK_STATUSES.join(',')],
      ]);
      entries.push({
        resource: needsResponseFor(headerId, sender.patientId, since, now),
        request: { method: 'POST', url: 'Task', ifNoneExist: open.toString() },
      });
    }
  }
  return { resourceType: 'Bundle', type: 'transaction', entry: entries };
}

/** Links the message: finds or creates the thread header, then writes everything in one transaction. */
export async function linkMessage(
  session: FhirSession,
  options: {
    message: Saved<Communication>;
    triageTask: Saved<Task>;
    sender: Sender;
    practiceNumber: string;
    /** Add this E.164 number to the patient's telecom (staff confirmed). */
    addNumber?: string;
  },
): Promise<{ headerId: string }> {
  const { sender } = options;
  const header = await ensureThreadHeader(session, sender.patientId, options.practiceNumber, sender.participant);
  const tasks = await session.search<Task>(
    'Task',
    new URLSearchParams([
      ['focus', `Communication/${header.id}`],
      ['code', TOKENS.needsResponse],
      ['_sort', '-_lastUpdated'],
      ['_count', '5'],
    ]),
  );
  const threadTasks = (tasks.entry ?? [])
    .map((e) => e.resource)
    .filter((t): t is Saved<Task> => t?.resourceType === 'Task' && !!t.id);
  let patientWithNumber: Saved<Patient> | undefined;
  if (options.addNumber) {
    const patient = await session.read<Patient>('Patient', sender.patientId);
    patientWithNumber = withNumber({ ...patient, id: sender.patientId }, options.addNumber);
  }
  await session.bundle(
    linkTransaction({
      message: options.message,
      triageTask: options.triageTask,
      sender,
      headerId: header.id,
      threadTasks,
      ...(patientWithNumber ? { patientWithNumber } : {}),
      now: new Date(),
    }),
  );
  return { headerId: header.id };
}
