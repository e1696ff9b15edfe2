/**
 * Scenario: a corpus of bad and awkward input, to the relay's webhooks (signed, so it is the content that is bad)
 * and to the EHR's FHIR API. Each case must be refused with a 4xx that says what is wrong and nothing written, or be
 * stored exactly once and exactly as sent (script tags, right-to-left text, emoji, odd sender numbers).
 */
import { randomBytes } from 'node:crypto';
import type { Communication, OperationOutcome } from '@medplum/fhirtypes';
import twilio from 'twilio';
import { CODES, CONCEPTS, PROFILES } from '../../fhir-profiles/vocabulary';
import { PRACTICE } from '../../sandbox/seed/roster';
import { EMPTY_MESSAGE } from '../../server/relay/fileInbound';
import { emptyCounts, type FaultCounts } from './faultCounts';
import type { FaultScale } from './faultScale';
import { threadOf } from '../integration/relay-support/relayStack';
import { communicationsBySid, textablePatients, versionCount, type FaultStack } from './faultStack';

type Expect =
  /** A 4xx with a message, and no write. */
  | { kind: 'refuse' }
  /** Stored once; the message text is `body` (or, for an inbound without text, the relay's placeholder). */
  | { kind: 'store'; body: string; subject?: string }
  /** No write, answered below 500 (e.g. a callback for a message nobody sent). */
  | { kind: 'ignore' };

interface Case {
  name: string;
  send(): Promise<{ status: number; text: string; sid?: string; id?: string }>;
  expect: Expect;
}

const newSid = (): string => `SM${randomBytes(16).toString('hex')}`;

/** The human-readable message of an error answer (OperationOutcome diagnostics or details), if any. */
function messageOf(text: string): string {
  try {
    const outcome = JSON.parse(text) as OperationOutcome;
    return (outcome.issue ?? []).map((issue) => issue.diagnostics ?? issue.details?.text ?? '').join(' ');
  } catch {
    return '';
  }
}

/** Runs the scenario. */
export async function badInput(faults: FaultStack, _scale: FaultScale): Promise<FaultCounts> {
  const counts = emptyCounts('bad-input corpus (webhooks and FHIR)');
  const started = performance.now();
  const { stack, runTag, token } = faults;
  const { store, twilio: account } = stack.sandbox;
  const [patient] = textablePatients();
  const aisha = textablePatients().find((p) => p.id === 'p0008');

  const postForm = async (
    form: Record<string, string>,
    options: { body?: string; contentType?: string; signWith?: Record<string, string>; route?: string } = {},
  ): Promise<{ status: number; text: string; sid?: string }> => {
    const url = `${stack.appUrl}${options.route ?? '/twilio/inbound'}`;
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': options.contentType ?? 'application/x-www-form-urlencoded',
        'x-twilio-signature': twilio.getExpectedTwilioSignature(account.authToken, url, options.signWith ?? form),
      },
      body: options.body ?? new URLSearchParams(form).toString(),
    });
    return {
      status: response.status,
      text: await response.text(),
      ...(form.MessageSid ? { sid: form.MessageSid } : {}),
    };
  };
  const inbound = (body: string, overrides: Record<string, string> = {}): Record<string, string> => ({
    MessageSid: newSid(),
    AccountSid: account.accountSid,
    From: patient?.e164 ?? '',
    To: PRACTICE.smsNumber,
    Body: body,
    NumMedia: '0',
    ...overrides,
  });
  const storeInbound = (
    name: string,
    body: string,
    overrides: Record<string, string> = {},
    subject?: string,
  ): Case => ({
    name,
    send: () => postForm(inbound(body, overrides)),
    expect: { kind: 'store', body: body || EMPTY_MESSAGE, ...(subject ? { subject } : {}) },
  });
  const refuseInbound = (name: string, form: Record<string, string>): Case => ({
    name,
    send: () => postForm(form),
    expect: { kind: 'refuse' },
  });

  const fhir = async (
    method: string,
    path: string,
    body: string,
  ): Promise<{ status: number; text: string; id?: string }> => {
    const response = await fetch(`${stack.sandbox.fhirBaseUrl}/${path}`, {
      method,
      headers: {
        authorization: `Bearer ${await token.getToken()}`,
        'content-type': 'application/fhir+json',
        accept: 'application/fhir+json',
      },
      body,
    });
    const text = await response.text();
    let id: string | undefined;
    try {
      const json = JSON.parse(text) as Communication;
      id = response.status === 201 && json.resourceType === 'Communication' ? json.id : undefined;
    } catch {
      id = undefined;
    }
    return { status: response.status, text, ...(id ? { id } : {}) };
  };
  const thread = await threadOf(stack.fhir, stack.config.twilio.fromNumber, patient?.id ?? '');
  const message = (payload: string, extra: object = {}): Communication => ({
    resourceType: 'Communication',
    meta: { profile: [PROFILES.outboundMessage] },
    status: 'preparation',
    category: [CONCEPTS.kind(CODES.communicationKind.message), CONCEPTS.direction(CODES.direction.outbound)],
    medium: [CONCEPTS.smsMedium],
    subject: { reference: `Patient/${patient?.id ?? ''}` },
    recipient: [{ reference: `Patient/${patient?.id ?? ''}` }],
    sender: { reference: 'Practitioner/dr-lee' },
    partOf: [{ reference: `Communication/${thread.id ?? ''}` }],
    payload: [{ contentString: payload }],
    ...extra,
  });
  const refuseFhir = (name: string, method: string, path: string, body: string): Case => ({
    name,
    send: () => fhir(method, path, body),
    expect: { kind: 'refuse' },
  });

  const tricky = {
    script: `<script>alert("pwned")</script><img src=x onerror=alert(1)> ${runTag}`,
    rtl: `مرحبا، هل موعدي غدًا؟ שלום \u202Etxt.exe ${runTag}`,
    emoji: `👍🏽 thanks! 👨‍👩‍👧 🏥💊 ${runTag}`,
    twiml: `</Message><Redirect>https://evil.example/</Redirect> & <![CDATA[x]]> ${runTag}`,
    multiline: `Line one\r\nLine two\twith a tab ${runTag}`,
  };
  const cases: Case[] = [
    refuseInbound('oversize form (100 KB text)', inbound('x'.repeat(100 * 1024))),
    refuseInbound(
      'form with 500 fields',
      Object.fromEntries([
        ...Object.entries(inbound('many')),
        ...Array.from({ length: 500 }, (_, i) => [`F${i}`, 'v']),
      ]) as Record<string, string>,
    ),
    {
      name: 'JSON instead of a form',
      send: () =>
        postForm({}, { body: JSON.stringify(inbound('json')), contentType: 'application/json', signWith: {} }),
      expect: { kind: 'refuse' },
    },
    refuseInbound('malformed MessageSid', inbound('bad sid', { MessageSid: 'SM123' })),
    refuseInbound('missing From', { ...inbound('no sender'), From: '' }),
    refuseInbound('NumMedia out of range', inbound('media', { NumMedia: '99' })),
    refuseInbound('media count without URL', inbound('media', { NumMedia: '1' })),
    refuseInbound('malformed AccountSid', inbound('account', { AccountSid: 'AC-not-hex' })),
    refuseInbound('sender not a full number ("555-1234")', inbound(`Odd sender ${runTag}`, { From: '555-1234' })),
    refuseInbound('sender a short code', inbound(`Short code ${runTag}`, { From: '12345' })),
    refuseInbound('sender alphanumeric', inbound(`Letters sender ${runTag}`, { From: 'PHARMACY' })),
    storeInbound(
      'sender in national form (no +1)',
      `National sender ${runTag}`,
      { From: (aisha?.e164 ?? '').slice(2) },
      `Patient/${aisha?.id ?? ''}`,
    ),
    storeInbound('script tags', tricky.script),
    storeInbound('right-to-left text with an override character', tricky.rtl),
    storeInbound('emoji (skin tone, ZWJ family)', tricky.emoji),
    storeInbound('TwiML and XML injection', tricky.twiml),
    storeInbound('multi-line text with a tab', tricky.multiline),
    storeInbound('1,600-character text', `${runTag} ${'Long message. '.repeat(114)}`.slice(0, 1600)),
    storeInbound('empty text', ''),
    {
      name: 'status callback with an unknown status',
      send: () =>
        postForm(
          { MessageSid: newSid(), MessageStatus: 'exploded', AccountSid: account.accountSid },
          { route: '/twilio/status' },
        ),
      expect: { kind: 'refuse' },
    },
    {
      name: 'status callback for a message nobody sent',
      send: () =>
        postForm(
          { MessageSid: newSid(), MessageStatus: 'delivered', AccountSid: account.accountSid },
          { route: '/twilio/status' },
        ),
      expect: { kind: 'ignore' },
    },
    refuseFhir('FHIR: invalid status code', 'POST', 'Communication', JSON.stringify(message('x', { status: 'sent' }))),
    refuseFhir('FHIR: unknown element', 'POST', 'Communication', JSON.stringify(message('x', { colour: 'blue' }))),
    refuseFhir('FHIR: wrong type', 'POST', 'Communication', JSON.stringify(message('x', { payload: 'hello' }))),
    refuseFhir(
      'FHIR: profile violation (no medium)',
      'POST',
      'Communication',
      JSON.stringify(message('x', { medium: undefined })),
    ),
    refuseFhir('FHIR: malformed JSON', 'POST', 'Communication', '{"resourceType": "Communication",'),
    refuseFhir('FHIR: body over 8 MiB', 'POST', 'Communication', JSON.stringify(message('x'.repeat(9 * 1024 * 1024)))),
    refuseFhir(
      'FHIR: resource type differs from URL',
      'POST',
      'Communication',
      JSON.stringify({ resourceType: 'Task' }),
    ),
    refuseFhir(
      'FHIR: transaction with one bad entry (nothing half-written)',
      'POST',
      '',
      JSON.stringify({
        resourceType: 'Bundle',
        type: 'transaction',
        entry: [
          { request: { method: 'POST', url: 'Communication' }, resource: message(`Half ${runTag}`) },
          { request: { method: 'POST', url: 'Communication' }, resource: message('x', { status: 'bogus' }) },
        ],
      }),
    ),
    ...Object.entries(tricky).map(([kind, text]): Case => ({
      name: `FHIR: ${kind} stored as written`,
      send: () => fhir('POST', 'Communication', JSON.stringify(message(text))),
      expect: { kind: 'store', body: text },
    })),
  ];

  for (const testCase of cases) {
    const writesBefore = versionCount(store);
    const answer = await testCase.send();
    const writes = versionCount(store) - writesBefore;
    const expect = testCase.expect;
    let verdict: 'ok' | 'lost' | 'forged' | 'duplicated' = 'ok';
    let detail = '';
    if (expect.kind === 'refuse') {
      const said = messageOf(answer.text);
      if (answer.status < 400 || answer.status >= 500 || said.trim() === '' || writes > 0) verdict = 'forged';
      detail = `answered ${answer.status}, ${writes} writes${said ? '' : ', no message'}`;
    } else if (expect.kind === 'ignore') {
      if (writes > 0 || answer.status >= 500) verdict = 'forged';
      detail = `answered ${answer.status}, ${writes} writes`;
    } else {
      const stored: Communication[] = answer.sid
        ? (communicationsBySid(store).get(answer.sid) ?? [])
        : answer.id
          ? [await stack.fhir.read('Communication', answer.id)]
          : [];
      const text = stored[0]?.payload?.[0]?.contentString;
      if (stored.length > 1) verdict = 'duplicated';
      else if (text !== expect.body) verdict = 'lost';
      else if (expect.subject && stored[0]?.subject?.reference !== expect.subject) verdict = 'lost';
      detail = `answered ${answer.status}, ${stored.length} stored${text === expect.body ? '' : ', text differs'}`;
    }
    if (verdict === 'ok') counts.delivered++;
    else {
      counts[verdict]++;
      counts.notes.push(`${testCase.name}: ${detail}`);
    }
  }
  counts.sent = cases.length;
  counts.seconds = (performance.now() - started) / 1000;
  counts.notes.push(
    `${cases.filter((c) => c.expect.kind !== 'store').length} refused or ignored with nothing written, ` +
      `${cases.filter((c) => c.expect.kind === 'store').length} stored exactly as sent`,
  );
  return counts;
}
