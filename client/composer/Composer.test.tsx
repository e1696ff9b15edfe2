import type { Communication, Task } from '@medplum/fhirtypes';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { describe, expect, test } from 'vitest';
import { CODES, CONCEPTS, IDENTIFIER_SYSTEMS, PROFILES } from '../../fhir-profiles/vocabulary';
import { buildScope } from '../../launch/scopes';
import { inboundMessage, needsResponseTask, smsConsent, threadHeader } from '../../test/fixtures/messages';
import { flaggedMobile, patient, practice, practitioner } from '../../test/fixtures/people';
import { FHIR_BASE, outcome } from '../../test/msw/fhirServer';
import { renderApp, startFakeServers, testSession } from '../testing/renderClient';

const servers = startFakeServers();

async function openComposer(session = testSession()): Promise<HTMLTextAreaElement> {
  renderApp(session);
  await screen.findByRole('form', { name: 'Write a text message' });
  return screen.getByRole<HTMLTextAreaElement>('textbox', { name: 'Message to the patient' });
}

function messagesInEhr(): Communication[] {
  return servers
    .ehr()
    .all<Communication>('Communication')
    .filter((c) => c.category?.some((cat) => cat.coding?.some((x) => x.code === CODES.communicationKind.message)));
}

describe('segment count', () => {
  test.each([
    ['Hello', '5 / 1,600 characters · 1 SMS · GSM-7'],
    ['a'.repeat(161), '161 / 1,600 characters · 2 SMS segments · GSM-7'],
    ['Thanks 😀', '8 / 1,600 characters · 1 SMS · UCS-2 (because of “😀”)'],
    ['¿Cómo está?', '11 / 1,600 characters · 1 SMS · UCS-2 (because of “ó” “á”)'],
  ])('when the user types %j, then the composer shows %s', async (text, shown) => {
    servers.ehr().add(patient(), practice());
    const box = await openComposer();
    await userEvent.click(box);
    await userEvent.paste(text);
    expect(await screen.findByText(shown)).toBeInTheDocument();
  });

  test('when the text is over 1,600 characters, then it says how much to remove and Send is disabled', async () => {
    servers.ehr().add(patient(), practice());
    const box = await openComposer();
    await userEvent.click(box);
    await userEvent.paste('x'.repeat(1_605));
    expect(screen.getByRole('alert')).toHaveTextContent(
      'Too long: a text can have at most 1,600 characters. Remove 5.',
    );
    expect(screen.getByRole('button', { name: 'Send' })).toBeDisabled();
    expect(box).toHaveAttribute('aria-invalid', 'true');
  });
});

describe('when texting is not possible, the composer is disabled and says why', () => {
  test.each([
    ['the patient has no phone', { telecom: [] }, [], undefined, /no mobile number on file/],
    [
      'the patient has only a landline',
      { telecom: [{ system: 'phone' as const, use: 'home' as const, value: '201.555.0125' }] },
      [],
      undefined,
      /only number on file \(•••-•••-0125\) is not a mobile number/,
    ],
    [
      'the number was flagged as unable to receive texts',
      { telecom: [flaggedMobile('+12015550124', 'notMobile')] },
      [],
      undefined,
      /cannot receive texts — it is not a mobile number/,
    ],
    ['the patient opted out', {}, [smsConsent('p0001', 'deny')], undefined, /opted out of texts on .*START/],
    [
      'the token cannot create messages',
      {},
      [],
      buildScope('chart', 'v2', true).replace('patient/Communication.crus', 'patient/Communication.rs'),
      /not granted permission to create messages \(patient\/Communication\.c\)/,
    ],
  ])('when %s', async (_label, patientFields, consents, scope, reason) => {
    servers.ehr().add(patient(patientFields), practice(), ...consents);
    const box = await openComposer(testSession(scope ? { scope } : {}));
    expect(await screen.findByText(reason)).toBeInTheDocument();
    expect(box).toBeDisabled();
    expect(screen.getByRole('button', { name: 'Send' })).toBeDisabled();
  });

  test('when the consent check is refused, then the composer names the missing permission', async () => {
    servers.ehr().add(patient(), practice());
    servers.server.use(
      http.get(`${FHIR_BASE}/Consent`, () =>
        HttpResponse.json(outcome('forbidden', 'Insufficient scope: patient/Consent.rs is required'), { status: 403 }),
      ),
    );
    const box = await openComposer();
    expect(
      await screen.findByText(/not allowed to check the patient’s SMS consent \(missing patient\/Consent\.rs\)/),
    ).toBeInTheDocument();
    expect(box).toBeDisabled();
  });

  test('when texting is possible, then the masked number it goes to is shown', async () => {
    servers.ehr().add(patient(), practice());
    await openComposer();
    expect(await screen.findByText('•••-•••-0123')).toBeInTheDocument();
    expect(screen.queryByText(/555-0123/)).not.toBeInTheDocument();
  });
});

describe('sending', () => {
  test('when the user presses Enter, then the message shows at once and is created on the EHR for the relay', async () => {
    servers.ehr().add(patient(), practice(), practitioner());
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    servers.server.use(
      http.post(`${FHIR_BASE}/Communication`, async ({ request }) => {
        const body = (await request.clone().json()) as Communication;
        if (body.payload) await held;
      }),
    );
    const box = await openComposer();
    await screen.findByText('•••-•••-0123');
    await userEvent.type(box, 'Your results are normal.{Enter}');

    const thread = await screen.findByRole('region', { name: 'Messages' });
    expect(within(thread).getByText('Your results are normal.')).toBeInTheDocument();
    expect(within(thread).getByText('Saving…')).toBeInTheDocument();
    expect(box).toHaveValue('');
    release();
    expect(await within(thread).findByText('Waiting to send')).toBeInTheDocument();

    const [message, ...others] = messagesInEhr();
    expect(others).toEqual([]);
    const header = servers
      .ehr()
      .all<Communication>('Communication')
      .find((c) => c.id !== message?.id);
    expect(message).toMatchObject({
      meta: { profile: [PROFILES.outboundMessage] },
      status: 'preparation',
      medium: [CONCEPTS.smsMedium],
      subject: { reference: 'Patient/p0001' },
      recipient: [{ reference: 'Patient/p0001' }],
      sender: { reference: 'Practitioner/dr-lee' },
      partOf: [{ reference: `Communication/${header?.id}` }],
      payload: [{ contentString: 'Your results are normal.' }],
    });
    expect(message?.category).toEqual([CONCEPTS.kind('message'), CONCEPTS.direction('outbound')]);
    expect(message?.identifier?.[0]).toMatchObject({ system: IDENTIFIER_SYSTEMS.clientMessageId });
    expect(message?.identifier?.[0]?.value).toMatch(/^[0-9a-f-]{36}$/);
    expect(header?.identifier).toEqual([{ system: IDENTIFIER_SYSTEMS.thread, value: 'Patient/p0001|+12015550100' }]);
    await waitFor(() => expect(servers.relay().nudges).toEqual(['{}']));
  });

  test('Shift+Enter breaks the line instead of sending', async () => {
    servers.ehr().add(patient(), practice());
    const box = await openComposer();
    await screen.findByText('•••-•••-0123');
    await userEvent.type(box, 'Line one{Shift>}{Enter}{/Shift}Line two');
    expect(box).toHaveValue('Line one\nLine two');
    expect(messagesInEhr()).toEqual([]);
  });

  test('when the thread header exists, then messages join it and no second header is made', async () => {
    servers.ehr().add(patient(), practice(), threadHeader('p0001'));
    const box = await openComposer();
    await screen.findByText('•••-•••-0123');
    await userEvent.type(box, 'First{Enter}');
    await screen.findByText('Waiting to send');
    await userEvent.type(box, 'Second{Enter}');
    await waitFor(() => expect(messagesInEhr()).toHaveLength(2));
    const headers = servers
      .ehr()
      .all<Communication>('Communication')
      .filter((c) => !c.payload);
    expect(headers.map((h) => h.id)).toEqual(['thread-p0001']);
    expect(messagesInEhr().every((m) => m.partOf?.[0]?.reference === 'Communication/thread-p0001')).toBe(true);
  });

  test('when the EHR refuses the message, then it disappears, the server’s words are shown and the draft comes back', async () => {
    servers.ehr().add(patient(), practice(), threadHeader('p0001'));
    servers.server.use(
      http.post(`${FHIR_BASE}/Communication`, () =>
        HttpResponse.json(
          outcome('invalid', 'Communication.payload: the text contains a character the EHR does not accept'),
          {
            status: 400,
          },
        ),
      ),
    );
    const box = await openComposer();
    await screen.findByText('•••-•••-0123');
    await userEvent.type(box, 'Hello there{Enter}');
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'Not sent: Communication.payload: the text contains a character the EHR does not accept',
    );
    expect(screen.queryByText('Saving…')).not.toBeInTheDocument();
    expect(screen.getByText('No texts with this patient yet.')).toBeInTheDocument();
    expect(box).toHaveValue('Hello there');
  });

  test('when the network drops during the create, then the message stays as not saved and Retry creates it exactly once', async () => {
    servers.ehr().add(patient(), practice(), threadHeader('p0001'));
    let down = true;
    servers.server.use(http.post(`${FHIR_BASE}/Communication`, () => (down ? HttpResponse.error() : undefined)));
    const box = await openComposer();
    await screen.findByText('•••-•••-0123');
    await userEvent.type(box, 'Are you free Monday?{Enter}');
    const thread = await screen.findByRole('region', { name: 'Messages' });
    expect(
      await within(thread).findByText(/Not saved — The EHR could not be reached/, {}, { timeout: 5_000 }),
    ).toBeInTheDocument();
    down = false;
    await userEvent.click(within(thread).getByRole('button', { name: 'Retry' }));
    expect(await within(thread).findByText('Waiting to send')).toBeInTheDocument();
    await userEvent.click(document.body);
    expect(messagesInEhr()).toHaveLength(1);
  });

  test('when the user replies, then the thread’s needs-response Task is completed as answered', async () => {
    servers
      .ehr()
      .add(
        patient(),
        practice(),
        threadHeader('p0001'),
        inboundMessage({ id: 'q', body: 'Question?' }),
        needsResponseTask('p0001'),
      );
    const box = await openComposer();
    await screen.findByText('•••-•••-0123');
    await userEvent.type(box, 'Answer.{Enter}');
    await waitFor(() =>
      expect(servers.ehr().get<Task>('Task', 'needs-response-p0001')).toMatchObject({
        status: 'completed',
        businessStatus: CONCEPTS.taskBusinessStatus('answered'),
      }),
    );
  });
});
