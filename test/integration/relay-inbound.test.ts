/**
 * Texts from the phone simulator reaching the sandbox EHR through the relay, over real HTTP (issue 4, "Done when").
 */
import type { Communication, Task } from '@medplum/fhirtypes';
import twilio from 'twilio';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { threadKey } from '../../fhir-profiles/threadKey';
import { CODE_SYSTEMS, CODES, CONCEPTS, IDENTIFIER_SYSTEMS, TOKENS, codeFrom } from '../../fhir-profiles/vocabulary';
import { FAMILY_NUMBER_E164, PATIENTS, PRACTICE, STAFF, UNKNOWN_NUMBER_E164 } from '../../sandbox/seed/roster';
import { matches } from '../../server/relay/fhirStore';
import { tokenValue } from '../../server/relay/fileInbound';
import { toE164 } from '../../server/relay/normalisePhone';
import { eventually, startRelayStack, type RelayStack } from './relay-support/relayStack';
import { fakeSid } from './relay-support/fakeSmsGateway';

let stack: RelayStack;

beforeAll(async () => {
  stack = await startRelayStack();
}, 60_000);

afterAll(async () => {
  await stack?.close();
});

const phoneOf = (patientId: string): string => toE164(PATIENTS.find((p) => p.id === patientId)?.phone, 'US') ?? '';

async function bySid(sid: string): Promise<Communication[]> {
  return matches<Communication>(
    await stack.fhir.search('Communication', { identifier: TOKENS.twilioSid(sid) }),
    'Communication',
  );
}

async function tasksFor(focus: string, code: string): Promise<Task[]> {
  return matches<Task>(await stack.fhir.search('Task', { focus, code }), 'Task');
}

/** Posts an inbound webhook exactly as Twilio would, signed with the account's auth token (or not). */
function postInbound(form: Record<string, string>, signature?: string | null): Promise<Response> {
  const url = `${stack.appUrl}/twilio/inbound`;
  const header =
    signature === undefined ? twilio.getExpectedTwilioSignature(stack.sandbox.twilio.authToken, url, form) : signature;
  return fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      ...(header ? { 'x-twilio-signature': header } : {}),
    },
    body: new URLSearchParams(form),
  });
}

const form = (sid: string, from: string, body: string): Record<string, string> => ({
  MessageSid: sid,
  SmsMessageSid: sid,
  SmsSid: sid,
  AccountSid: stack.sandbox.twilio.accountSid,
  From: from,
  To: PRACTICE.smsNumber,
  Body: body,
  NumMedia: '0',
  NumSegments: '1',
  SmsStatus: 'received',
  ApiVersion: '2010-04-01',
});

/** The patient's thread header and its needs-response Task as the EHR has them now. */
async function threadState(patientId: string): Promise<{ header: Communication; task: Task }> {
  const key = threadKey(`Patient/${patientId}`, PRACTICE.smsNumber);
  const [header] = matches<Communication>(
    await stack.fhir.search('Communication', { identifier: tokenValue(IDENTIFIER_SYSTEMS.thread, key) }),
    'Communication',
  );
  const tasks = await tasksFor(`Communication/${header?.id ?? ''}`, TOKENS.needsResponse);
  expect(tasks).toHaveLength(1);
  const [task] = tasks;
  if (!header || !task) throw new Error(`no thread for ${patientId}`);
  return { header, task };
}

/** Closes the thread as the front desk does (ADR 071): header completed, its Task settled "no reply needed". */
async function closeThread(patientId: string): Promise<void> {
  const { header, task } = await threadState(patientId);
  await stack.fhir.update({ ...header, status: 'completed' }, { ifMatch: header.meta?.versionId });
  await stack.fhir.update(
    {
      ...task,
      status: 'completed',
      businessStatus: CONCEPTS.taskBusinessStatus(CODES.taskBusinessStatus.noReplyNeeded),
    },
    { ifMatch: task.meta?.versionId },
  );
}

const waits = (task: Task): boolean =>
  task.status === 'requested' &&
  codeFrom(task.businessStatus, CODE_SYSTEMS.taskBusinessStatus) === CODES.taskBusinessStatus.waiting;

describe('inbound into an existing thread (issue 6)', () => {
  test('when a patient texts into a closed thread, then the thread is open again and its Task waits', async () => {
    await stack.sandbox.phone.sendInbound({ from: phoneOf('p0021'), body: 'Thanks, bye' });
    await closeThread('p0021');
    expect((await threadState('p0021')).header.status).toBe('completed');

    await stack.sandbox.phone.sendInbound({ from: phoneOf('p0021'), body: 'Sorry, one more thing' });
    const { header, task } = await threadState('p0021');
    expect(header.status).toBe('in-progress');
    expect(waits(task)).toBe(true);
  });

  test('when a patient texts again while their Task waits, then the Task moves up, keeping its owner and waiting-since', async () => {
    await stack.sandbox.phone.sendInbound({ from: phoneOf('p0022'), body: 'Question one' });
    const first = (await threadState('p0022')).task;
    const staff = STAFF[3];
    const owner = { reference: `Practitioner/${staff.id}`, display: `${staff.given} ${staff.family}` };
    const before = await stack.fhir.update({ ...first, owner }, { ifMatch: first.meta?.versionId });
    await new Promise((resolve) => setTimeout(resolve, 20));

    await stack.sandbox.phone.sendInbound({ from: phoneOf('p0022'), body: 'Question two' });
    const { task } = await threadState('p0022');
    expect(Date.parse(task.meta?.lastUpdated ?? '')).toBeGreaterThan(Date.parse(before.meta?.lastUpdated ?? ''));
    expect(Date.parse(task.lastModified ?? '')).toBeGreaterThan(Date.parse(before.lastModified ?? ''));
    expect(task.owner).toEqual(owner);
    expect(task.executionPeriod?.start).toBe(first.executionPeriod?.start);
    expect(waits(task)).toBe(true);
  });

  test('when a patient texts STOP, then neither a closed thread reopens nor a waiting Task moves', async () => {
    await stack.sandbox.phone.sendInbound({ from: phoneOf('p0023'), body: 'Hello' });
    await closeThread('p0023');
    const closed = await threadState('p0023');
    await stack.sandbox.phone.sendInbound({ from: phoneOf('p0024'), body: 'Hello' });
    const waiting = await threadState('p0024');

    await stack.sandbox.phone.sendInbound({ from: phoneOf('p0023'), body: 'STOP' });
    await stack.sandbox.phone.sendInbound({ from: phoneOf('p0024'), body: 'STOP' });
    const afterClosed = await threadState('p0023');
    expect(afterClosed.header.status).toBe('completed');
    expect(afterClosed.header.meta?.versionId).toBe(closed.header.meta?.versionId);
    expect(afterClosed.task.meta?.versionId).toBe(closed.task.meta?.versionId);
    expect((await threadState('p0024')).task.meta?.versionId).toBe(waiting.task.meta?.versionId);
  });
});

describe('inbound', () => {
  test('when a patient replies from their phone, then the Communication is on that patient, in their existing thread, and a Task waits', async () => {
    const key = threadKey('Patient/p0001', PRACTICE.smsNumber);
    const [header] = matches<Communication>(
      await stack.fhir.search('Communication', { identifier: tokenValue(IDENTIFIER_SYSTEMS.thread, key) }),
      'Communication',
    );
    expect(header?.id).toBeDefined();
    const { message } = await stack.sandbox.phone.sendInbound({
      from: phoneOf('p0001'),
      body: '¿Puedo cambiar mi cita?',
    });
    const [filed] = await bySid(message.sid);
    expect(filed).toMatchObject({
      status: 'completed',
      subject: { reference: 'Patient/p0001' },
      sender: { reference: 'Patient/p0001' },
      partOf: [{ reference: `Communication/${header?.id ?? ''}` }],
      payload: [{ contentString: '¿Puedo cambiar mi cita?' }],
    });
    const tasks = await tasksFor(`Communication/${header?.id ?? ''}`, TOKENS.needsResponse);
    expect(tasks.filter((task) => task.status === 'requested' || task.status === 'ready')).toHaveLength(1);
    expect(codeFrom(tasks[0]?.businessStatus, CODE_SYSTEMS.taskBusinessStatus)).toBe('waiting');
  });

  test('when a patient with an open Task texts again, then filing costs three FHIR round trips, as the first text', async () => {
    const context = stack.relay.context;
    const real = context.fhir;
    let calls = 0;
    context.fhir = new Proxy(real, {
      get(target, property, receiver) {
        const value: unknown = Reflect.get(target, property, receiver);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          calls++;
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
    try {
      await stack.sandbox.phone.sendInbound({ from: phoneOf('p0013'), body: 'First question' });
      const first = calls;
      await stack.sandbox.phone.sendInbound({ from: phoneOf('p0013'), body: 'Second question' });
      expect(first).toBeLessThanOrEqual(3);
      expect(calls - first).toBe(3);
    } finally {
      context.fhir = real;
    }
  });

  test('when the same inbound webhook is replayed five times, then there is one Communication', async () => {
    const sid = fakeSid();
    const responses = await Promise.all(
      Array.from({ length: 5 }, () => postInbound(form(sid, phoneOf('p0011'), 'Running late'))),
    );
    expect(responses.map((response) => response.status)).toEqual([200, 200, 200, 200, 200]);
    expect(await bySid(sid)).toHaveLength(1);
    for (let i = 0; i < 5; i++)
      expect((await postInbound(form(sid, phoneOf('p0011'), 'Running late'))).status).toBe(200);
    expect(await bySid(sid)).toHaveLength(1);
  });

  test.each<[string, string | null]>([
    ['missing', null],
    ['forged', 'AAAAAAAAAAAAAAAAAAAAAAAAAAA='],
  ])('when the signature is %s, then 403 and nothing is written', async (_name, signature) => {
    const sid = fakeSid();
    const response = await postInbound(form(sid, phoneOf('p0011'), 'let me in'), signature);
    expect(response.status).toBe(403);
    expect(await bySid(sid)).toEqual([]);
  });

  test('when a status callback is forged, then 403 and the message keeps its status', async () => {
    const url = `${stack.appUrl}/twilio/status`;
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': 'forged' },
      body: new URLSearchParams({
        MessageSid: fakeSid(),
        MessageStatus: 'delivered',
        AccountSid: stack.sandbox.twilio.accountSid,
      }),
    });
    expect(response.status).toBe(403);
  });

  test('when an unknown number texts, then an unmatched Communication and a triage Task are created', async () => {
    const { message } = await stack.sandbox.phone.sendInbound({
      from: UNKNOWN_NUMBER_E164,
      body: 'Is this the clinic?',
    });
    const [unmatched] = await bySid(message.sid);
    expect(unmatched?.subject).toBeUndefined();
    expect(codeFrom(unmatched?.category, CODE_SYSTEMS.communicationKind)).toBe(CODES.communicationKind.unmatched);
    const tasks = await tasksFor(`Communication/${unmatched?.id ?? ''}`, TOKENS.triageUnmatched);
    expect(tasks).toHaveLength(1);
  });

  test('when the shared family number texts, then it goes to triage and no patient is guessed', async () => {
    const { message } = await stack.sandbox.phone.sendInbound({ from: FAMILY_NUMBER_E164, body: 'Lucas has a fever' });
    const [unmatched] = await bySid(message.sid);
    expect(unmatched?.subject).toBeUndefined();
    expect(unmatched?.partOf).toBeUndefined();
    expect(await tasksFor(`Communication/${unmatched?.id ?? ''}`, TOKENS.triageUnmatched)).toHaveLength(1);
  });

  test('when a picture is texted, then it is stored as a Binary the message points to', async () => {
    const { message } = await stack.sandbox.phone.sendInbound({
      from: phoneOf('p0020'),
      body: 'My rash',
      media: ['rash'],
    });
    const [filed] = await bySid(message.sid);
    const attachment = filed?.payload?.find((payload) => payload.contentAttachment)?.contentAttachment;
    expect(attachment?.url).toMatch(/^Binary\//);
    expect(attachment?.contentType).toMatch(/^image\//);
  });

  test('when the EHR is down while a text arrives, then it is in the EHR within seconds after the EHR returns', async () => {
    stack.setEhrDown(true);
    const { message, webhook } = await stack.sandbox.phone.sendInbound({
      from: phoneOf('p0018'),
      body: 'Anyone there?',
    });
    expect(webhook?.status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    stack.setEhrDown(false);
    const returnedAt = Date.now();
    const filed = await eventually(
      () => bySid(message.sid),
      (list) => list.length === 1,
      10_000,
    );
    expect(filed).toHaveLength(1);
    expect(Date.now() - returnedAt).toBeLessThan(10_000);
  });

  test('when the relay was dead while a text arrived, then reconciliation files it from Twilio’s log', async () => {
    stack.kill();
    const { message } = await stack.sandbox.phone.sendInbound({
      from: phoneOf('p0019'),
      body: 'Texted while you slept',
    });
    expect(await bySid(message.sid)).toEqual([]);
    const relay = stack.restart();
    const report = await relay.reconciler.run();
    expect(report.inboundFiled).toBeGreaterThanOrEqual(1);
    const [filed] = await bySid(message.sid);
    expect(filed?.subject?.reference).toBe('Patient/p0019');
  });
});
