/**
 * A practice inbox of many waiting threads for the inbox bench (bench/inbox-open.ts), built from the front-desk
 * fixtures: synthetic names, birth dates, questions and owners that vary like a real queue's.
 */
import type { Resource } from '@medplum/fhirtypes';
import { CONCEPTS, EXTERNAL_SYSTEMS } from '../fhir-profiles/vocabulary';
import { waitingThread } from '../test/fixtures/frontDesk';
import { outboundMessage } from '../test/fixtures/messages';

const GIVEN = ['Olivia', 'Mateo', 'Amara', 'Noah', 'Priya', 'Elena', 'Samir', 'Grace', 'Tomás', 'Leah', 'Kofi', 'Mei'];
const FAMILY = ['Alvarez', 'Bennett', 'Chowdhury', 'Dubois', 'Eriksen', 'Fischer', 'Gomez', 'Hughes', 'Ito', 'Jensen'];
const QUESTIONS = [
  'Can I move my appointment on Thursday to the afternoon?',
  'Is the lab result from Monday back yet?',
  'My refill for lisinopril says it needs approval.',
  'Running about 10 minutes late, sorry!',
  'Do I need to fast before the blood test tomorrow?',
  'The video visit link is not opening on my phone.',
  'Can you send the school form for my son?',
  'I still have a cough after the antibiotics, should I come in?',
];
const OWNERS = [undefined, 'fd-brooks', undefined, 'np-silva', undefined, 'dr-lee'];

function pick<T>(list: readonly T[], i: number): T {
  const item = list[i % list.length];
  if (item === undefined) throw new Error('empty list');
  return item;
}

/**
 * `count` waiting threads, each a patient, an earlier practice text, one to three unanswered texts and an open
 * needs-response Task; written oldest question first, so the newest waits a few minutes at the top of the inbox.
 */
export function waitingInbox(count: number, now: number): Resource[] {
  return Array.from({ length: count }, (_, i): Resource[] => {
    const patientId = `bench-${i}`;
    const askedAt = new Date(now - (count - i) * 4 * 60_000).toISOString();
    const owner = OWNERS[i % OWNERS.length];
    const thread: Resource[] = waitingThread({
      patientId,
      given: pick(GIVEN, i),
      family: pick(FAMILY, i),
      birthDate: `${1940 + (i % 65)}-${String(1 + (i % 12)).padStart(2, '0')}-${String(1 + (i % 28)).padStart(2, '0')}`,
      question: pick(QUESTIONS, i),
      askedAt,
      // The newest thread has one unread text, the next two, then three, and so on round.
      unread: 1 + ((count - 1 - i) % 3),
      ...(owner ? { owner: `Practitioner/${owner}` } : {}),
    }).map((resource) =>
      resource.resourceType === 'Patient'
        ? {
            ...resource,
            identifier: [
              { type: CONCEPTS.mrnType, system: EXTERNAL_SYSTEMS.sandboxMrn, value: `RB${String(i).padStart(6, '0')}` },
            ],
          }
        : resource,
    );
    const earlier = outboundMessage({
      id: `${patientId}-a`,
      patientId,
      sent: new Date(Date.parse(askedAt) - 26 * 3_600_000).toISOString(),
      body: 'Reminder from Riverside Family Medicine: your visit is tomorrow at 9:30. Reply C to confirm.',
    });
    // After the patient and the header, before the questions and the Task.
    thread.splice(2, 0, earlier);
    return thread;
  }).flat();
}
