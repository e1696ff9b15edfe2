import type { Communication, Task } from '@medplum/fhirtypes';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import axe from 'axe-core';
import { http, HttpResponse } from 'msw';
import { describe, expect, test } from 'vitest';
import { CODES, CODE_SYSTEMS, codeFrom } from '../../fhir-profiles/vocabulary';
import { buildScope } from '../../launch/scopes';
import { triageTask, unmatchedMessage, waitingThread } from '../../test/fixtures/frontDesk';
import { outboundMessage, threadHeader } from '../../test/fixtures/messages';
import { patient, practice, practitioner } from '../../test/fixtures/people';
import { FHIR_BASE, outcome } from '../../test/msw/fhirServer';
import { renderApp, startFakeServers, testSession } from '../testing/renderClient';

const servers = startFakeServers();
const minutesAgo = (minutes: number): string => new Date(Date.now() - minutes * 60_000).toISOString();

function seedStaff(): void {
  servers.ehr().add(
    practice(),
    practitioner({ id: 'dr-lee' }),
    practitioner({ id: 'fd-brooks', name: [{ given: ['Jordan'], family: 'Brooks' }] }),
    {
      resourceType: 'PractitionerRole',
      id: 'dr-lee-role',
      practitioner: { reference: 'Practitioner/dr-lee' },
      organization: { reference: 'Organization/practice' },
      code: [{ text: 'Clinician' }],
    },
    {
      resourceType: 'PractitionerRole',
      id: 'fd-brooks-role',
      practitioner: { reference: 'Practitioner/fd-brooks' },
      organization: { reference: 'Organization/practice' },
      code: [{ text: 'Front desk' }],
    },
  );
}

function seedInbox(): void {
  seedStaff();
  servers.ehr().add(
    ...waitingThread({
      patientId: 'p0001',
      given: 'María',
      family: 'García',
      birthDate: '1968-04-12',
      question: '¿Puedo cambiar mi cita del jueves?',
      askedAt: minutesAgo(125),
      owner: 'Practitioner/fd-brooks',
      unread: 2,
    }),
    ...waitingThread({
      patientId: 'p0011',
      given: 'David',
      family: 'Nguyen',
      birthDate: '1979-05-03',
      question: 'Is my prescription ready?',
      askedAt: minutesAgo(20),
    }),
    ...waitingThread({
      patientId: 'p0016',
      given: 'Linda',
      family: 'Park',
      question: 'Can I get a copy of my lab results?',
      askedAt: minutesAgo(300),
      owner: 'Practitioner/dr-lee',
    }),
    patient({ id: 'p0010', name: [{ given: ['Grace'], family: 'Kim' }], birthDate: '1988-08-27' }),
    threadHeader('p0010', { status: 'completed', meta: { versionId: '2', lastUpdated: minutesAgo(600) } }),
    outboundMessage({ id: 'grace-1', patientId: 'p0010', body: 'See you next week!', sent: minutesAgo(700) }),
  );
  const unknown = unmatchedMessage({ id: 'unknown-1', from: '+12015550199', received: minutesAgo(95) });
  servers.ehr().add(unknown, triageTask(unknown));
}

function frontDesk(fhirUser = 'Practitioner/fd-brooks'): void {
  renderApp(
    testSession({ patientId: null, scope: buildScope('inbox', 'v2', false), fhirUser, needPatientBanner: true }),
  );
}

async function tab(name: RegExp): Promise<HTMLElement> {
  return screen.findByRole('tab', { name });
}

async function countOf(name: RegExp): Promise<string> {
  const element = await tab(name);
  return element.querySelector('.tab__count')?.textContent ?? '';
}

function rowNamed(list: HTMLElement, name: string): HTMLElement {
  const row = within(list)
    .getAllByRole('button')
    .find((b) => b.textContent?.includes(name));
  if (!row) throw new Error(`No row for ${name}`);
  return row;
}

async function inboxList(): Promise<HTMLElement> {
  const list = await screen.findByRole('tabpanel');
  await within(list).findAllByRole('button');
  return list;
}

describe('the practice inbox', () => {
  test('when the front desk opens the inbox, then every tab shows its count', async () => {
    seedInbox();
    frontDesk();
    await waitFor(async () => expect(await countOf(/Needs response/)).toBe('3'));
    expect(await countOf(/Assigned to me/)).toBe('1');
    expect(await countOf(/Unassigned/)).toBe('1');
    expect(await countOf(/Unknown numbers/)).toBe('1');
    expect(await countOf(/Closed/)).toBe('1');
  });

  test('when the inbox opens, then each row shows name, birth date, the latest text, the wait, the owner and unread replies', async () => {
    seedInbox();
    frontDesk();
    const list = await inboxList();
    const maria = rowNamed(list, 'María García');
    await within(maria).findByText('¿Puedo cambiar mi cita del jueves?');
    expect(maria).toHaveTextContent(/Apr 12, 1968/);
    expect(maria).toHaveTextContent('2 h 5 min');
    expect(maria).toHaveTextContent('Assigned to Jordan Brooks');
    expect(maria.querySelector('.badge')).toHaveTextContent('2 unread');
    const david = rowNamed(list, 'David Nguyen');
    expect(david).toHaveTextContent('Unassigned');
    expect(david).toHaveTextContent('20 min');
  });

  test('rows come latest activity first', async () => {
    seedInbox();
    frontDesk();
    const list = await inboxList();
    const names = within(list)
      .getAllByRole('button')
      .map((b) => b.querySelector('.inbox-row__who')?.firstChild?.textContent);
    expect(names).toEqual(['David Nguyen', 'María García', 'Linda Park']);
  });

  test('opening the inbox costs three requests, however many threads wait', async () => {
    seedInbox();
    for (let i = 0; i < 40; i++) {
      servers.ehr().add(
        ...waitingThread({
          patientId: `p${i}`,
          given: 'Test',
          family: `Patient ${i}`,
          question: `Question ${i}`,
          askedAt: minutesAgo(30 + i),
        }),
      );
    }
    frontDesk();
    await waitFor(async () => expect(await countOf(/Needs response/)).toBe('43'));
    const list = await inboxList();
    await within(list).findByText('Question 0');
    expect(within(list).getAllByRole('listitem')).toHaveLength(25);
    expect(servers.ehr().requests).toHaveLength(3);
    await userEvent.click(within(list).getByRole('button', { name: 'Show more' }));
    await waitFor(() => expect(within(list).getAllByRole('listitem')).toHaveLength(43));
  });

  test('when the EHR does not take batches, then the counts come one request each', async () => {
    seedInbox();
    servers.server.use(
      http.post(FHIR_BASE, () =>
        HttpResponse.json(outcome('not-supported', 'Batch is not supported'), { status: 405 }),
      ),
    );
    frontDesk();
    await waitFor(async () => expect(await countOf(/Needs response/)).toBe('3'));
    expect(await countOf(/Unknown numbers/)).toBe('1');
    const list = await inboxList();
    await within(rowNamed(list, 'David Nguyen')).findByText('Is my prescription ready?');
  });

  test('the other tabs list their own threads', async () => {
    seedInbox();
    frontDesk();
    await inboxList();
    await userEvent.click(await tab(/Assigned to me/));
    await waitFor(() => expect(screen.getByRole('tabpanel')).toHaveTextContent('María García'));
    expect(screen.getByRole('tabpanel')).not.toHaveTextContent('David Nguyen');
    await userEvent.click(await tab(/Unassigned/));
    await waitFor(() => expect(screen.getByRole('tabpanel')).toHaveTextContent('David Nguyen'));
    expect(screen.getByRole('tabpanel')).not.toHaveTextContent('María García');
    await userEvent.click(await tab(/Unknown numbers/));
    await waitFor(() => expect(screen.getByRole('tabpanel')).toHaveTextContent('(201) 555-0199'));
    expect(screen.getByRole('tabpanel')).toHaveTextContent('Hi, is the clinic open on Saturday?');
    await userEvent.click(await tab(/Closed/));
    await waitFor(() => expect(screen.getByRole('tabpanel')).toHaveTextContent('Grace Kim'));
    expect(screen.getByRole('tabpanel')).toHaveTextContent('See you next week!');
  });

  test('arrow keys move between tabs', async () => {
    seedInbox();
    frontDesk();
    (await tab(/Needs response/)).focus();
    await userEvent.keyboard('{ArrowRight}');
    expect(await tab(/Assigned to me/)).toHaveAttribute('aria-selected', 'true');
    expect(document.activeElement).toBe(await tab(/Assigned to me/));
    await userEvent.keyboard('{End}');
    expect(await tab(/Closed/)).toHaveAttribute('aria-selected', 'true');
  });
});

describe('working a thread', () => {
  test('when the front desk opens a row and replies, then the thread shows in place, the Task is answered and the count drops', async () => {
    seedInbox();
    frontDesk();
    const list = await inboxList();
    await userEvent.click(rowNamed(list, 'David Nguyen'));
    const thread = await screen.findByRole('region', { name: 'Messages' });
    await within(thread).findByText('Is my prescription ready?');
    expect(await screen.findByRole('banner', { name: 'Patient' })).toHaveTextContent('David Nguyen');
    const box = screen.getByRole('textbox', { name: 'Message to the patient' });
    await userEvent.type(box, 'Yes, it is ready for pick-up.{Enter}');
    await waitFor(() =>
      expect(servers.ehr().get<Task>('Task', 'needs-response-p0011')).toMatchObject({
        status: 'completed',
        businessStatus: { coding: [{ code: CODES.taskBusinessStatus.answered }] },
      }),
    );
    await waitFor(async () => expect(await countOf(/Needs response/)).toBe('2'));
    expect(await countOf(/Unassigned/)).toBe('0');
  });

  test('when a thread is assigned to a colleague, then the Task names them and it leaves "unassigned"', async () => {
    seedInbox();
    frontDesk();
    const list = await inboxList();
    await userEvent.click(rowNamed(list, 'David Nguyen'));
    const select = await screen.findByRole('combobox', { name: /Assigned to/ });
    await within(select).findByRole('option', { name: 'Dr. Dana Lee (Clinician)' });
    await userEvent.selectOptions(select, 'Practitioner/dr-lee');
    await waitFor(() =>
      expect(servers.ehr().get<Task>('Task', 'needs-response-p0011')?.owner).toEqual({
        reference: 'Practitioner/dr-lee',
        display: 'Dr. Dana Lee',
      }),
    );
    await waitFor(async () => expect(await countOf(/Unassigned/)).toBe('0'));
    await waitFor(() =>
      expect(rowNamed(screen.getByRole('tabpanel'), 'David Nguyen')).toHaveTextContent('Assigned to Dr. Dana Lee'),
    );
  });

  test('when no reply is needed, then the Task closes as such and the thread leaves the queue', async () => {
    seedInbox();
    frontDesk();
    const list = await inboxList();
    await userEvent.click(rowNamed(list, 'Linda Park'));
    await userEvent.click(await screen.findByRole('button', { name: 'No reply needed' }));
    await waitFor(() =>
      expect(servers.ehr().get<Task>('Task', 'needs-response-p0016')).toMatchObject({
        status: 'completed',
        businessStatus: { coding: [{ code: CODES.taskBusinessStatus.noReplyNeeded }] },
      }),
    );
    await waitFor(() => expect(screen.getByRole('tabpanel')).not.toHaveTextContent('Linda Park'));
    expect(await countOf(/Needs response/)).toBe('2');
  });

  test('when a thread is closed, then its header is completed, it shows under Closed, and it can be reopened', async () => {
    seedInbox();
    frontDesk();
    const list = await inboxList();
    await userEvent.click(rowNamed(list, 'María García'));
    await userEvent.click(await screen.findByRole('button', { name: 'Close thread' }));
    await waitFor(() =>
      expect(servers.ehr().get<Communication>('Communication', 'thread-p0001')?.status).toBe('completed'),
    );
    expect(servers.ehr().get<Task>('Task', 'needs-response-p0001')?.status).toBe('completed');
    await waitFor(async () => expect(await countOf(/Closed/)).toBe('2'));
    await userEvent.click(await tab(/Closed/));
    await waitFor(() => expect(screen.getByRole('tabpanel')).toHaveTextContent('María García'));
    await userEvent.click(rowNamed(screen.getByRole('tabpanel'), 'María García'));
    await userEvent.click(await screen.findByRole('button', { name: 'Reopen thread' }));
    await waitFor(() =>
      expect(servers.ehr().get<Communication>('Communication', 'thread-p0001')?.status).toBe('in-progress'),
    );
    await waitFor(async () => expect(await countOf(/Closed/)).toBe('1'));
  });

  test('when the save is refused, then the reason shows and nothing changes', async () => {
    seedInbox();
    servers.server.use(
      http.put(`${FHIR_BASE}/Task/:id`, () =>
        HttpResponse.json(outcome('forbidden', 'Updating Task requires user/Task.u'), { status: 403 }),
      ),
    );
    frontDesk();
    const list = await inboxList();
    await userEvent.click(rowNamed(list, 'Linda Park'));
    await userEvent.click(await screen.findByRole('button', { name: 'No reply needed' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('Not saved: Updating Task requires user/Task.u');
    expect(
      codeFrom(
        servers.ehr().get<Task>('Task', 'needs-response-p0016')?.businessStatus,
        CODE_SYSTEMS.taskBusinessStatus,
      ),
    ).toBe(CODES.taskBusinessStatus.waiting);
  });
});

describe('accessibility', () => {
  test('the inbox with a thread open has no serious or critical axe violations', async () => {
    seedInbox();
    frontDesk();
    const list = await inboxList();
    await within(rowNamed(list, 'María García')).findByText('¿Puedo cambiar mi cita del jueves?');
    await userEvent.click(rowNamed(list, 'María García'));
    await screen.findByRole('region', { name: 'Messages' });
    await screen.findByRole('combobox', { name: /Assigned to/ });
    const results = await axe.run(document.body, { rules: { 'color-contrast': { enabled: false } } });
    expect(results.passes.length).toBeGreaterThan(10);
    expect(
      results.violations
        .filter((v) => v.impact === 'serious' || v.impact === 'critical')
        .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`),
    ).toEqual([]);
  });
});
