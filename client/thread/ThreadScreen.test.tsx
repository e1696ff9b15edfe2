import type { Communication } from '@medplum/fhirtypes';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { afterEach, describe, expect, test } from 'vitest';
import { EXTENSIONS, IDENTIFIER_SYSTEMS } from '../../fhir-profiles/vocabulary';
import {
  conversation,
  inboundMessage,
  outboundMessage,
  smsConsent,
  threadHeader,
  twilioErrorReason,
  twilioOutcome,
} from '../../test/fixtures/messages';
import { patient, practice, practitioner } from '../../test/fixtures/people';
import { FHIR_BASE, outcome } from '../../test/msw/fhirServer';
import { APP_CONFIG } from '../config';
import { renderApp, startFakeServers, testSession } from '../testing/renderClient';

const servers = startFakeServers();

function seedChart(...extra: Parameters<ReturnType<typeof servers.ehr>['add']>): void {
  servers.ehr().add(patient(), practice(), practitioner(), threadHeader('p0001'), ...extra);
}

async function openThread(): Promise<HTMLElement> {
  renderApp();
  return screen.findByRole('region', { name: 'Messages' });
}

const minutesAgo = (minutes: number): string => new Date(Date.now() - minutes * 60_000).toISOString();

describe('reading the thread', () => {
  test('when the chart opens, then the latest messages show on their sides with sender names and day separators', async () => {
    seedChart(
      inboundMessage({ id: 'a', body: 'My knee still hurts', sent: '2026-10-30T14:00:00.000Z' }),
      outboundMessage({ id: 'b', body: 'Can you come in Thursday?', sent: '2026-10-31T15:00:00.000Z' }),
    );
    const thread = await openThread();
    expect(
      await screen.findByRole('heading', { level: 1, name: 'Text messages with María García' }),
    ).toBeInTheDocument();
    const inbound = within(thread).getByText('My knee still hurts').closest('.msg');
    const outbound = within(thread).getByText('Can you come in Thursday?').closest('.msg');
    expect(inbound).toHaveClass('msg--inbound');
    expect(within(inbound as HTMLElement).getByText('María García')).toBeInTheDocument();
    expect(outbound).toHaveClass('msg--outbound');
    expect(within(outbound as HTMLElement).getByText('You')).toBeInTheDocument();
    expect(
      within(thread)
        .getAllByRole('heading', { level: 2 })
        .map((h) => h.textContent),
    ).toEqual(['Friday, October 30', 'Saturday, October 31']);
  });

  test('when another clinician wrote a message, then their name shows, resolved from the page', async () => {
    seedChart(
      practitioner({ id: 'dr-okafor', name: [{ prefix: ['Dr.'], given: ['Chidi'], family: 'Okafor' }] }),
      outboundMessage({ id: 'b', body: 'Lab results are normal', sender: 'Practitioner/dr-okafor' }),
    );
    const thread = await openThread();
    expect(within(thread).getByText('Dr. Chidi Okafor')).toBeInTheDocument();
  });

  test('the exact time is on hover', async () => {
    seedChart(inboundMessage({ id: 'a', body: 'Hi', sent: '2026-10-30T14:05:09.000Z' }));
    const thread = await openThread();
    const time = within(thread).getByText((_, el) => el?.tagName === 'TIME');
    expect(time).toHaveAttribute('datetime', '2026-10-30T14:05:09.000Z');
    expect(time.getAttribute('title')).toMatch(/2026/);
  });

  test('when the patient has never been texted, then the empty thread says what will happen', async () => {
    seedChart();
    renderApp();
    expect(await screen.findByText('No texts with this patient yet.')).toBeInTheDocument();
  });

  test('when the thread is long, then only a window of rows is in the page', async () => {
    seedChart(...conversation(500));
    const thread = await openThread();
    expect(await within(thread).findByText('Clinic reply 500')).toBeInTheDocument();
    expect(within(thread).getAllByRole('listitem').length).toBeLessThan(40);
  });

  test('when the user scrolls to the top, then older pages load until the start of the conversation', async () => {
    seedChart(...conversation(120));
    const thread = await openThread();
    await within(thread).findByText('Clinic reply 120');
    expect(within(thread).queryByText('Patient message 1')).not.toBeInTheDocument();
    for (let page = 0; page < 3 && !within(thread).queryByText('Start of the conversation'); page++) {
      thread.scrollTop = 0;
      fireEvent.scroll(thread);
      await waitFor(() => expect(within(thread).queryByText('Loading earlier messages…')).not.toBeInTheDocument());
    }
    thread.scrollTop = 0;
    fireEvent.scroll(thread);
    expect(await within(thread).findByText('Start of the conversation')).toBeInTheDocument();
    expect(within(thread).getByText('Patient message 1')).toBeInTheDocument();
  });

  test('when loading older messages on scroll failed, then a keyboard user can load them with a button', async () => {
    seedChart(...conversation(60));
    let ehrDown = true;
    servers.server.use(
      http.get(`${FHIR_BASE}/Communication`, ({ request }) =>
        ehrDown && request.url.includes('_offset=50')
          ? HttpResponse.json(outcome('exception', 'Temporarily unavailable'), { status: 503 })
          : undefined,
      ),
    );
    const thread = await openThread();
    await within(thread).findByText('Clinic reply 60');
    thread.scrollTop = 0;
    await screen.findByText(/Could not load earlier messages/);
    // The messages already loaded stay on screen.
    expect(within(thread).getByText('Patient message 11')).toBeInTheDocument();
    ehrDown = false;
    const button = await within(thread).findByRole('button', { name: 'Show earlier messages' });
    button.focus();
    await userEvent.keyboard('{Enter}');
    expect(await within(thread).findByText('Start of the conversation')).toBeInTheDocument();
    expect(within(thread).queryByRole('button', { name: 'Show earlier messages' })).not.toBeInTheDocument();
  });

  test('when the patient texted a picture, then it shows, fetched from the EHR with the user’s token', async () => {
    seedChart(
      { resourceType: 'Binary', id: 'pic-1', contentType: 'image/png', data: btoa('png-bytes') },
      inboundMessage({
        id: 'a',
        payload: [
          { contentString: 'Here is the rash' },
          { contentAttachment: { contentType: 'image/png', url: 'Binary/pic-1' } },
        ],
      }),
    );
    const thread = await openThread();
    expect(await within(thread).findByRole('img', { name: 'Picture sent by text' })).toBeInTheDocument();
    expect(servers.ehr().requests).toContain('GET Binary/pic-1');
  });
});

describe('delivery state of outbound messages', () => {
  test.each([
    ['waiting for the relay', { status: 'preparation', lastUpdated: minutesAgo(0.1) }, 'Waiting to send'],
    ['claimed', { status: 'in-progress', extension: [] }, 'Sending…'],
    ['sent', { status: 'in-progress', extension: twilioOutcome('sent') }, 'Sent'],
    ['delivered', { status: 'completed', extension: twilioOutcome('delivered') }, 'Delivered'],
    [
      'failed',
      {
        status: 'stopped',
        extension: twilioOutcome('failed', { code: 30006, message: 'Landline' }),
        statusReason: twilioErrorReason(30006, 'Landline'),
      },
      'Not sent — The number is a landline or cannot receive texts.',
    ],
    [
      'undelivered',
      {
        status: 'stopped',
        extension: twilioOutcome('undelivered', { code: 30003, message: 'Unreachable' }),
        statusReason: twilioErrorReason(30003, 'Unreachable'),
      },
      'Not delivered — The patient’s phone is off or out of reach.',
    ],
    [
      'not picked up by the relay for a while',
      { status: 'preparation', lastUpdated: minutesAgo(2) },
      /Not picked up yet/,
    ],
  ] as [string, Partial<Omit<Communication, 'sender' | 'sent' | 'id'>> & { lastUpdated?: string }, string | RegExp][])(
    'when %s, then the message says so',
    async (_label, fields, shown) => {
      const { lastUpdated, ...rest } = fields;
      seedChart(outboundMessage({ id: 'm', body: 'Please call us', ...(lastUpdated ? { lastUpdated } : {}), ...rest }));
      const thread = await openThread();
      const message = within(thread).getByText('Please call us').closest('.msg') as HTMLElement;
      expect(within(message).getByText(shown)).toBeInTheDocument();
    },
  );

  test('when the user retries a failed message, then the same Communication is sent again as attempt 2', async () => {
    seedChart(
      outboundMessage({
        id: 'm',
        body: 'Please call us',
        status: 'stopped',
        extension: twilioOutcome('undelivered', { code: 30003, message: 'Unreachable' }),
        statusReason: twilioErrorReason(30003, 'Unreachable'),
      }),
    );
    const thread = await openThread();
    await userEvent.click(within(thread).getByRole('button', { name: 'Retry' }));
    expect(await within(thread).findByText('Waiting to send')).toBeInTheDocument();
    const saved = servers.ehr().get<Communication>('Communication', 'm');
    expect(saved).toMatchObject({ status: 'preparation', meta: { versionId: '2' } });
    expect(saved?.extension?.find((e) => e.url === EXTENSIONS.sendAttempt)?.valuePositiveInt).toBe(2);
    expect(saved?.identifier?.some((i) => i.system === IDENTIFIER_SYSTEMS.twilioMessageSid)).toBe(false);
    expect(
      servers
        .ehr()
        .all('Communication')
        .filter((c) => c.id !== 'thread-p0001'),
    ).toHaveLength(1);
    await waitFor(() => expect(servers.relay().nudges).toEqual(['{}']));
  });

  test('when the EHR refuses the retry, then the message stays failed and the reason is shown', async () => {
    seedChart(
      outboundMessage({
        id: 'm',
        body: 'Please call us',
        status: 'stopped',
        extension: twilioOutcome('failed', { code: 30006, message: 'Landline' }),
        statusReason: twilioErrorReason(30006, 'Landline'),
      }),
    );
    servers.server.use(
      http.put(`${FHIR_BASE}/Communication/m`, () =>
        HttpResponse.json(outcome('forbidden', 'Insufficient scope: patient/Communication.u is required'), {
          status: 403,
        }),
      ),
    );
    const thread = await openThread();
    await userEvent.click(within(thread).getByRole('button', { name: 'Retry' }));
    expect(await screen.findByText(/Retry failed: Insufficient scope: patient\/Communication\.u/)).toBeInTheDocument();
    expect(within(thread).getByText(/Not sent — The number is a landline/)).toBeInTheDocument();
  });

  test('when the patient has opted out, then Retry is disabled with the reason', async () => {
    seedChart(
      smsConsent('p0001', 'deny'),
      outboundMessage({
        id: 'm',
        body: 'Please call us',
        status: 'stopped',
        extension: twilioOutcome('undelivered', { code: 30003, message: 'Unreachable' }),
      }),
    );
    const thread = await openThread();
    await waitFor(() => expect(within(thread).getByRole('button', { name: 'Retry' })).toBeDisabled());
    expect(within(thread).getByRole('button', { name: 'Retry' }).getAttribute('title')).toMatch(/opted out/);
  });
});

describe('live updates', () => {
  test('when the patient replies while the thread is open, then the reply appears without reload within 2 seconds', async () => {
    seedChart(outboundMessage({ id: 'b', body: 'How is the knee?' }));
    const thread = await openThread();
    servers.ehr().write(inboundMessage({ id: 'live-1', body: 'Much better, thanks!', sent: new Date().toISOString() }));
    expect(await within(thread).findByText('Much better, thanks!', {}, { timeout: 2_000 })).toBeInTheDocument();
    expect(await screen.findByText(/New message from María García: Much better, thanks!/)).toBeInTheDocument();
  });

  test('when a message is delivered while the thread is open, then its state changes without reload', async () => {
    seedChart(
      outboundMessage({ id: 'b', body: 'See you at 3', status: 'in-progress', extension: twilioOutcome('sent') }),
    );
    const thread = await openThread();
    expect(within(thread).getByText('Sent')).toBeInTheDocument();
    servers.ehr().change<Communication>('Communication', 'b', (c) => ({
      ...c,
      status: 'completed',
      extension: twilioOutcome('delivered'),
    }));
    expect(await within(thread).findByText('Delivered', {}, { timeout: 2_000 })).toBeInTheDocument();
    expect(within(thread).getByText('You')).toBeInTheDocument();
  });

  test('when the relay left a message unsent before the chart opened, then it shows even though it has no sent time', async () => {
    seedChart(
      ...conversation(80),
      outboundMessage({
        id: 'old-pending',
        body: 'Still waiting',
        status: 'preparation',
        sent: null,
        extension: [],
        lastUpdated: minutesAgo(1),
      }),
    );
    const thread = await openThread();
    expect(await within(thread).findByText('Still waiting', {}, { timeout: 2_000 })).toBeInTheDocument();
  });
});

describe('idle polls', () => {
  const overlap = APP_CONFIG.pollOverlapMs;
  afterEach(() => {
    APP_CONFIG.pollOverlapMs = overlap;
  });

  test('when nothing changed for the overlap time, then polls ask only for changes after the newest one seen', async () => {
    APP_CONFIG.pollOverlapMs = 300;
    const newest = minutesAgo(1);
    seedChart(outboundMessage({ id: 'b', body: 'See you at 3', lastUpdated: newest }));
    await openThread();
    const pollsFrom = (): string[] =>
      servers
        .ehr()
        .requests.map((r) => /_lastUpdated=gt([^&]+)/.exec(r)?.[1])
        .filter((from): from is string => from !== undefined)
        .map(decodeURIComponent);
    await waitFor(() => expect(pollsFrom().length).toBeGreaterThanOrEqual(2), { timeout: 5_000 });
    const [first, second] = pollsFrom();
    // The first poll looks back in case a change stamped earlier was still being written; later ones need not.
    expect(Date.parse(first ?? '')).toBe(Date.parse(newest) - 300);
    expect(second).toBe(newest);
  });
});

describe('read state', () => {
  test('when the user sees an unanswered reply, then the EHR records when staff first read it; history is left alone', async () => {
    seedChart(
      inboundMessage({ id: 'old', body: 'Old question', sent: '2026-10-29T10:00:00.000Z' }),
      outboundMessage({ id: 'answer', body: 'Old answer', sent: '2026-10-29T11:00:00.000Z' }),
      inboundMessage({ id: 'new', body: 'New question', sent: '2026-10-30T10:00:00.000Z' }),
    );
    await openThread();
    await waitFor(() => expect(servers.ehr().get<Communication>('Communication', 'new')?.meta?.versionId).toBe('2'), {
      timeout: 3_000,
    });
    const marked = servers.ehr().get<Communication>('Communication', 'new');
    expect(marked?.extension?.find((e) => e.url === EXTENSIONS.readAt)?.valueDateTime).toMatch(/^\d{4}-/);
    expect(servers.ehr().get<Communication>('Communication', 'old')?.meta?.versionId).toBe('1');
  });
});

describe('when things go wrong', () => {
  test('when the token lacks a scope, then the screen names the missing permission', async () => {
    seedChart();
    servers.server.use(
      http.get(`${FHIR_BASE}/Communication`, () =>
        HttpResponse.json(outcome('forbidden', 'Insufficient scope: patient/Communication.rs is required'), {
          status: 403,
        }),
      ),
    );
    renderApp();
    expect(await screen.findByText('ChartText is not allowed to load this conversation')).toBeInTheDocument();
    expect(screen.getByText('patient/Communication.rs')).toBeInTheDocument();
  });

  test('when the EHR fails, then the error says so and Try again recovers', async () => {
    seedChart(inboundMessage({ id: 'a', body: 'Hello again' }));
    let failures = 1;
    servers.server.use(
      http.get(`${FHIR_BASE}/Communication`, () =>
        failures-- > 0 ? HttpResponse.json(outcome('exception', 'Database unavailable'), { status: 500 }) : undefined,
      ),
    );
    renderApp();
    expect(await screen.findByText('Could not load this conversation')).toBeInTheDocument();
    expect(screen.getByText(/The EHR had a problem \(HTTP 500\)\. Database unavailable/)).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Try again' }));
    expect(await screen.findByText('Hello again')).toBeInTheDocument();
  });

  test('when the session expires and cannot be refreshed, then the user is told to reopen from the chart', async () => {
    seedChart();
    servers.ehr().tokenValid = false;
    renderApp();
    expect(await screen.findByRole('heading', { name: 'Your ChartText session has ended' })).toBeInTheDocument();
    expect(screen.getByText('Reopen ChartText from the patient’s chart')).toBeInTheDocument();
  });

  test('when the access token expired but a refresh token works, then the thread opens as usual', async () => {
    seedChart(inboundMessage({ id: 'a', body: 'Still there?' }));
    servers.ehr().tokenValid = false;
    servers.server.use(
      http.post('https://ehr.example.org/auth/token', async ({ request }) => {
        expect(await request.text()).toMatch(/grant_type=refresh_token&refresh_token=refresh-1/);
        servers.ehr().tokenValid = true;
        return HttpResponse.json({
          access_token: 'access-token-2',
          token_type: 'Bearer',
          expires_in: 3600,
          scope: 'online_access patient/Communication.crus',
        });
      }),
    );
    renderApp(testSession({ refreshToken: 'refresh-1', scope: undefined }));
    expect(await screen.findByText('Still there?')).toBeInTheDocument();
  });

  test('when the network is down, then the thread says the user is offline and offers to try again', async () => {
    seedChart();
    servers.server.use(http.get(`${FHIR_BASE}/Communication`, () => HttpResponse.error()));
    renderApp();
    expect(await screen.findByRole('heading', { name: 'You’re offline' })).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Try again' })).toBeInTheDocument();
  });

  test('when the browser goes offline, then a banner says updates will resume', async () => {
    seedChart(inboundMessage({ id: 'a', body: 'Hi' }));
    await openThread();
    Object.defineProperty(navigator, 'onLine', { configurable: true, get: () => false });
    fireEvent(window, new Event('offline'));
    expect(
      await screen.findByText(/You’re offline\. New messages and delivery updates will appear/),
    ).toBeInTheDocument();
    Object.defineProperty(navigator, 'onLine', { configurable: true, get: () => true });
    fireEvent(window, new Event('online'));
    await waitFor(() => expect(screen.queryByText(/You’re offline\. New messages/)).not.toBeInTheDocument());
  });
});
