import type { Binary, Communication, Consent, RelatedPerson, Task } from '@medplum/fhirtypes';
import { describe, expect, test } from 'vitest';
import { threadKey } from '../../fhir-profiles/threadKey';
import { CODE_SYSTEMS, CODES, IDENTIFIER_SYSTEMS, TOKENS, codeFrom } from '../../fhir-profiles/vocabulary';
import { fakeSid } from '../../test/integration/relay-support/fakeSmsGateway';
import {
  createTestContext,
  invalidResources,
  PRACTICE_NUMBER,
  seedPatient,
  type TestContext,
} from '../../test/integration/relay-support/testContext';
import { createWebhookIntake } from './acceptWebhook';
import { matches } from './fhirStore';
import { missingMediaNote, tokenValue } from './fileInbound';
import { SmsGatewayError } from './smsGateway';
import type { InboundSms } from './parseInbound';
import { receiveInbound } from './receiveInbound';

const sms = (from: string, body: string, extra: Partial<InboundSms> = {}): InboundSms => ({
  sid: fakeSid(),
  from,
  to: PRACTICE_NUMBER,
  body,
  media: [],
  ...extra,
});

async function all<T extends Communication | Task | Consent>(
  ctx: TestContext,
  type: T['resourceType'],
  params: Record<string, string> = {},
): Promise<T[]> {
  return matches<T>(await ctx.fhir.search(type, { _count: '1000', ...params }), type);
}

const kind = (communication: Communication): string | undefined =>
  codeFrom(communication.category, CODE_SYSTEMS.communicationKind);

describe('receiving an inbound message', () => {
  test('when a known patient texts, then the message is filed in their thread and a needs-response Task opens', async () => {
    const ctx = createTestContext();
    await seedPatient(ctx, 'maria', '(201) 555-0123');
    const result = await receiveInbound(ctx, sms('+12015550123', 'Can I move my appointment?'));
    expect(result.outcome).toBe('filed');
    const communications = await all<Communication>(ctx, 'Communication');
    const header = communications.find((c) => kind(c) === CODES.communicationKind.threadHeader);
    const message = communications.find((c) => kind(c) === CODES.communicationKind.message);
    expect(header?.identifier?.[0]).toEqual({
      system: IDENTIFIER_SYSTEMS.thread,
      value: threadKey('Patient/maria', PRACTICE_NUMBER),
    });
    expect(message).toMatchObject({
      status: 'completed',
      subject: { reference: 'Patient/maria' },
      sender: { reference: 'Patient/maria' },
      partOf: [{ reference: `Communication/${header?.id ?? ''}` }],
      payload: [{ contentString: 'Can I move my appointment?' }],
    });
    const [task] = await all<Task>(ctx, 'Task');
    expect(task).toMatchObject({
      status: 'requested',
      focus: { reference: `Communication/${header?.id ?? ''}` },
      for: { reference: 'Patient/maria' },
    });
    expect(codeFrom(task?.businessStatus, CODE_SYSTEMS.taskBusinessStatus)).toBe('waiting');
  });

  test('when the thread header already exists (created by the client), then the message joins it', async () => {
    const ctx = createTestContext();
    await seedPatient(ctx, 'maria', '2015550123');
    const existing = await receiveInbound(ctx, sms('+12015550123', 'first'));
    await receiveInbound(ctx, sms('+12015550123', 'second'));
    const headers = await all<Communication>(ctx, 'Communication', { category: TOKENS.threadHeader });
    expect(headers).toHaveLength(1);
    const messages = await all<Communication>(ctx, 'Communication', {
      'part-of': `Communication/${headers[0]?.id ?? ''}`,
    });
    expect(messages.map((m) => m.payload?.[0]?.contentString).sort()).toEqual(['first', 'second']);
    expect(existing.outcome).toBe('filed');
    expect(await all<Task>(ctx, 'Task')).toHaveLength(1);
  });

  test('when the thread’s Task was answered, then a new message reopens it, keeping its owner', async () => {
    const ctx = createTestContext();
    await seedPatient(ctx, 'maria', '2015550123');
    await receiveInbound(ctx, sms('+12015550123', 'first'));
    const [task] = await all<Task>(ctx, 'Task');
    await ctx.fhir.update({
      ...task,
      status: 'completed',
      owner: { reference: 'Practitioner/fd-brooks' },
      businessStatus: { coding: [{ system: CODE_SYSTEMS.taskBusinessStatus, code: 'answered' }] },
    } as Task);
    await receiveInbound(ctx, sms('+12015550123', 'one more thing'));
    const tasks = await all<Task>(ctx, 'Task');
    expect(tasks).toHaveLength(1);
    expect(tasks[0]).toMatchObject({ status: 'requested', owner: { reference: 'Practitioner/fd-brooks' } });
    expect(codeFrom(tasks[0]?.businessStatus, CODE_SYSTEMS.taskBusinessStatus)).toBe('waiting');
  });

  test('when three texts reach a closed thread at once, then it is open once and one Task waits, first in the inbox', async () => {
    const ctx = createTestContext();
    await seedPatient(ctx, 'maria', '2015550123');
    await receiveInbound(ctx, sms('+12015550123', 'first'));
    const [header] = (await all<Communication>(ctx, 'Communication')).filter(
      (c) => kind(c) === CODES.communicationKind.threadHeader,
    );
    const [task] = await all<Task>(ctx, 'Task');
    await ctx.fhir.update({ ...header, status: 'completed' } as Communication);
    await ctx.fhir.update({
      ...task,
      status: 'completed',
      businessStatus: { coding: [{ system: CODE_SYSTEMS.taskBusinessStatus, code: 'no-reply-needed' }] },
    } as Task);
    // Each reads the same versions; all but one update lose the race (412), read again and apply their change once more.
    await Promise.all(['a', 'b', 'c'].map((body) => receiveInbound(ctx, sms('+12015550123', body))));
    const [open] = (await all<Communication>(ctx, 'Communication')).filter(
      (c) => kind(c) === CODES.communicationKind.threadHeader,
    );
    const tasks = await all<Task>(ctx, 'Task');
    expect(open?.status).toBe('in-progress');
    expect(tasks).toHaveLength(1);
    expect(tasks[0]?.status).toBe('requested');
    expect(codeFrom(tasks[0]?.businessStatus, CODE_SYSTEMS.taskBusinessStatus)).toBe('waiting');
    expect(Date.parse(tasks[0]?.lastModified ?? '')).toBeGreaterThan(Date.parse(task?.lastModified ?? ''));
  });

  test('when the same webhook arrives five times at once, then there is one Communication and one Task', async () => {
    const ctx = createTestContext();
    await seedPatient(ctx, 'maria', '2015550123');
    const message = sms('+12015550123', 'replayed');
    const results = await Promise.all(Array.from({ length: 5 }, () => receiveInbound(ctx, message)));
    expect(results.filter((r) => r.outcome === 'filed')).toHaveLength(1);
    expect(await all<Communication>(ctx, 'Communication', { identifier: TOKENS.twilioSid(message.sid) })).toHaveLength(
      1,
    );
    expect(await all<Communication>(ctx, 'Communication', { category: TOKENS.threadHeader })).toHaveLength(1);
    expect(await all<Task>(ctx, 'Task')).toHaveLength(1);
  });

  test('when an unknown number texts, then an unmatched message without subject and a triage Task are created', async () => {
    const ctx = createTestContext();
    const message = sms('+12015550199', 'Who is this?');
    expect((await receiveInbound(ctx, message)).outcome).toBe('unmatched');
    const [unmatched] = await all<Communication>(ctx, 'Communication');
    expect(kind(unmatched as Communication)).toBe(CODES.communicationKind.unmatched);
    expect(unmatched?.subject).toBeUndefined();
    const [task] = await all<Task>(ctx, 'Task');
    expect(codeFrom(task?.code, CODE_SYSTEMS.task)).toBe('triage-unmatched');
    expect(task?.focus?.reference).toBe(`Communication/${unmatched?.id ?? ''}`);
    expect(task?.identifier).toEqual([{ system: IDENTIFIER_SYSTEMS.triage, value: message.sid }]);
  });

  test('when a shared family number texts, then it goes to triage, not to a guessed patient', async () => {
    const ctx = createTestContext();
    await seedPatient(ctx, 'ana', '(201) 555-0142');
    await seedPatient(ctx, 'lucas', '201-555-0142');
    await ctx.fhir.seed<RelatedPerson>({
      resourceType: 'RelatedPerson',
      id: 'miguel',
      patient: { reference: 'Patient/lucas' },
      telecom: [{ system: 'phone', value: '201-555-0142' }],
    });
    expect((await receiveInbound(ctx, sms('+12015550142', 'Is Lucas due for shots?'))).outcome).toBe('unmatched');
    const communications = await all<Communication>(ctx, 'Communication');
    expect(communications.map(kind)).toEqual([CODES.communicationKind.unmatched]);
    expect(await all<Task>(ctx, 'Task', { code: TOKENS.triageUnmatched })).toHaveLength(1);
  });

  test('when a related person texts from their own number, then it files in their thread about the patient', async () => {
    const ctx = createTestContext();
    await seedPatient(ctx, 'lucas', undefined);
    await ctx.fhir.seed<RelatedPerson>({
      resourceType: 'RelatedPerson',
      id: 'miguel',
      patient: { reference: 'Patient/lucas' },
      telecom: [{ system: 'phone', value: '201-555-0150' }],
    });
    await receiveInbound(ctx, sms('+12015550150', 'Lucas has a fever'));
    const [header] = await all<Communication>(ctx, 'Communication', {
      identifier: tokenValue(IDENTIFIER_SYSTEMS.thread, threadKey('RelatedPerson/miguel', PRACTICE_NUMBER)),
    });
    expect(header?.subject?.reference).toBe('Patient/lucas');
    const [message] = await all<Communication>(ctx, 'Communication', { category: TOKENS.message });
    expect(message).toMatchObject({
      subject: { reference: 'Patient/lucas' },
      sender: { reference: 'RelatedPerson/miguel' },
    });
  });

  test('when a patient texts STOP then START, then consent is denied then permitted, sourced from the messages', async () => {
    const ctx = createTestContext();
    await seedPatient(ctx, 'robert', '+12015550124');
    const stop = sms('+12015550124', 'STOP');
    expect((await receiveInbound(ctx, stop)).keyword).toBe('opt-out');
    await receiveInbound(ctx, stop); // replay
    await receiveInbound(ctx, sms('+12015550124', 'start'));
    const consents = await all<Consent>(ctx, 'Consent', { patient: 'Patient/robert', _sort: 'date' });
    expect(consents.map((c) => c.provision?.type)).toEqual(['deny', 'permit']);
    const [stopMessage] = await all<Communication>(ctx, 'Communication', { identifier: TOKENS.twilioSid(stop.sid) });
    expect(consents[0]?.sourceAttachment).toMatchObject({ title: 'STOP' });
    expect(consents[0]?.sourceAttachment?.url).toBe(`Communication/${stopMessage?.id ?? ''}`);
    expect(await all<Task>(ctx, 'Task')).toHaveLength(0);
  });

  test('when a picture arrives, then it is stored as a Binary referenced from the message', async () => {
    const ctx = createTestContext();
    await seedPatient(ctx, 'maria', '2015550123');
    const url = 'https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME1';
    ctx.sms.media.set(url, { contentType: 'image/png', data: new Uint8Array([137, 80, 78, 71]), messageSid: 'MM1' });
    await receiveInbound(ctx, sms('+12015550123', '', { media: [{ url, contentType: 'image/png' }] }));
    const [message] = await all<Communication>(ctx, 'Communication', { category: TOKENS.message });
    const attachment = message?.payload?.[0]?.contentAttachment;
    expect(attachment).toMatchObject({ contentType: 'image/png', size: 4 });
    expect(attachment?.url).toMatch(/^Binary\//);
    const binary: Binary = await ctx.fhir.read('Binary', attachment?.url?.split('/')[1] ?? '');
    expect(Buffer.from(binary.data ?? '', 'base64')).toEqual(Buffer.from([137, 80, 78, 71]));
  });

  test('when Twilio no longer has a picture (404), then the text is filed with a note instead of being lost', async () => {
    const ctx = createTestContext();
    await seedPatient(ctx, 'maria', '2015550123');
    const gone = 'https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM2/Media/ME2';
    await receiveInbound(ctx, sms('+12015550123', 'See photo', { media: [{ url: gone, contentType: 'image/jpeg' }] }));
    const [message] = await all<Communication>(ctx, 'Communication', { category: TOKENS.message });
    expect(message?.payload?.map((p) => p.contentString)).toEqual(['See photo', missingMediaNote(1)]);
  });

  test('when Twilio is unreachable for a picture, then filing fails so the webhook is retried', async () => {
    const ctx = createTestContext();
    await seedPatient(ctx, 'maria', '2015550123');
    ctx.sms.fetchMedia = () => Promise.reject(new SmsGatewayError('unreachable', { status: 0, ambiguous: false }));
    await expect(
      receiveInbound(
        ctx,
        sms('+12015550123', 'photo', { media: [{ url: 'https://api.twilio.com/x', contentType: 'image/png' }] }),
      ),
    ).rejects.toThrow(SmsGatewayError);
    expect(await all<Communication>(ctx, 'Communication', { category: TOKENS.message })).toEqual([]);
  });

  test('when a message has several pictures, then Twilio is asked for all at once and they keep their order', async () => {
    const ctx = createTestContext();
    await seedPatient(ctx, 'maria', '2015550123');
    const urls = ['ME1', 'ME2', 'ME3'].map(
      (id) => `https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM3/Media/${id}`,
    );
    let inFlight = 0;
    let most = 0;
    ctx.sms.fetchMedia = async (url) => {
      most = Math.max(most, ++inFlight);
      // The first picture answers last.
      await new Promise((resolve) => setTimeout(resolve, url.endsWith('ME1') ? 30 : 5));
      inFlight--;
      return { contentType: 'image/png', data: new Uint8Array(urls.indexOf(url) + 1) };
    };
    const media = urls.map((url) => ({ url, contentType: 'image/png' }));
    await receiveInbound(ctx, sms('+12015550123', 'three photos', { media }));
    expect(most).toBe(3);
    const [message] = await all<Communication>(ctx, 'Communication', { category: TOKENS.message });
    expect(message?.payload?.map((p) => p.contentAttachment?.size ?? p.contentString)).toEqual([
      'three photos',
      1,
      2,
      3,
    ]);
  });

  test('when a filed message is replayed while Twilio is unreachable for its picture, then it is a duplicate', async () => {
    const ctx = createTestContext();
    await seedPatient(ctx, 'maria', '2015550123');
    const url = 'https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM4/Media/ME4';
    ctx.sms.media.set(url, { contentType: 'image/png', data: new Uint8Array([1]), messageSid: 'MM4' });
    const message = sms('+12015550123', 'photo', { media: [{ url, contentType: 'image/png' }] });
    expect((await receiveInbound(ctx, message)).outcome).toBe('filed');
    ctx.sms.fetchMedia = () => Promise.reject(new SmsGatewayError('unreachable', { status: 0, ambiguous: false }));
    expect((await receiveInbound(ctx, message)).outcome).toBe('duplicate');
    expect(await all<Communication>(ctx, 'Communication', { category: TOKENS.message })).toHaveLength(1);
  });

  test('a first inbound message costs at most three FHIR round trips, a replay one', async () => {
    const ctx = createTestContext();
    await seedPatient(ctx, 'maria', '2015550123');
    const message = sms('+12015550123', 'count me');
    const before = ctx.fhir.calls;
    await receiveInbound(ctx, message);
    expect(ctx.fhir.calls - before).toBeLessThanOrEqual(3);
    const again = ctx.fhir.calls;
    await receiveInbound(ctx, message);
    expect(ctx.fhir.calls - again).toBe(1);
  });
});

test('everything the relay files for inbound messages validates against the ChartText profiles', async () => {
  const ctx = createTestContext();
  await seedPatient(ctx, 'maria', '2015550123');
  await seedPatient(ctx, 'robert', '+12015550124');
  await receiveInbound(ctx, sms('+12015550123', 'hello'));
  await receiveInbound(ctx, sms('+12015550123', ''));
  await receiveInbound(ctx, sms('+12015550124', 'STOP'));
  await receiveInbound(ctx, sms('+12015550199', 'who?'));
  const [task] = await all<Task>(ctx, 'Task', { code: TOKENS.needsResponse });
  await ctx.fhir.update({
    ...task,
    status: 'completed',
    businessStatus: { coding: [{ system: CODE_SYSTEMS.taskBusinessStatus, code: 'answered' }] },
  } as Task);
  await receiveInbound(ctx, sms('+12015550123', 'reopen'));
  expect(await invalidResources(ctx)).toEqual([]);
});

describe('the EHR is down when a webhook arrives', () => {
  test('when the EHR comes back, then the kept message is filed by the retry', async () => {
    const ctx = createTestContext();
    await seedPatient(ctx, 'maria', '2015550123');
    const intake = createWebhookIntake(ctx, {
      budgetMs: 1000,
      retry: { baseDelayMs: 20, maxDelayMs: 40, maxAgeMs: 60_000, maxItems: 10 },
    });
    ctx.fhir.down = true;
    const message = sms('+12015550123', 'while you were down');
    expect(await intake.inbound(message)).toBe('queued');
    expect(intake.pending()).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 100));
    ctx.fhir.down = false;
    for (let i = 0; i < 50 && intake.pending() > 0; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    intake.stop();
    expect(await all<Communication>(ctx, 'Communication', { identifier: TOKENS.twilioSid(message.sid) })).toHaveLength(
      1,
    );
  });
});
