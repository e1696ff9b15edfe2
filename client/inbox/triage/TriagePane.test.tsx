import type { Communication, Patient, Task } from '@medplum/fhirtypes';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, test } from 'vitest';
import {
  CODE_SYSTEMS,
  CODES,
  codeFrom,
  EXTERNAL_SYSTEMS,
  hasCoding,
  IDENTIFIER_SYSTEMS,
  PROFILES,
  TOKENS,
} from '../../../fhir-profiles/vocabulary';
import { threadKey } from '../../../fhir-profiles/threadKey';
import { buildScope } from '../../../launch/scopes';
import { PRACTICE } from '../../../sandbox/seed/roster';
import { triageTask, unmatchedMessage } from '../../../test/fixtures/frontDesk';
import { patient, practice, practitioner, relatedPerson } from '../../../test/fixtures/people';
import { renderApp, startFakeServers, testSession } from '../../testing/renderClient';

const servers = startFakeServers();

const UNKNOWN = '+12015550199';
const FAMILY = '+12015550142';

function seed(): void {
  servers.ehr().add(
    practice(),
    practitioner({ id: 'fd-brooks', name: [{ given: ['Jordan'], family: 'Brooks' }] }),
    patient({ id: 'p0010', name: [{ given: ['Grace'], family: 'Kim' }], birthDate: '1988-08-27', telecom: [] }),
    patient({ id: 'gregory-kimball', name: [{ given: ['Gregory'], family: 'Kimball' }], birthDate: '1950-02-02' }),
    patient({
      id: 'p0005',
      name: [{ given: ['Ana'], family: 'Torres' }],
      birthDate: '1984-11-23',
      telecom: [{ system: 'phone', use: 'mobile', value: '(201) 555-0142' }],
    }),
    patient({
      id: 'p0006',
      name: [{ given: ['Lucas'], family: 'Torres' }],
      birthDate: '2014-03-08',
      telecom: [{ system: 'phone', use: 'mobile', value: '201-555-0142' }],
    }),
    relatedPerson({
      relationship: [{ coding: [{ system: EXTERNAL_SYSTEMS.v3RoleCode, code: 'FTH' }] }],
      telecom: [{ system: 'phone', use: 'mobile', value: '201.555.0142' }],
    }),
  );
  const unknown = unmatchedMessage({ id: 'unknown-1', from: UNKNOWN, body: 'Hi, this is Grace, new number!' });
  const family = unmatchedMessage({
    id: 'family-1',
    from: FAMILY,
    body: 'Lucas has a fever since last night',
    received: '2026-10-31T09:00:00.000Z',
  });
  servers.ehr().add(unknown, triageTask(unknown), family, triageTask(family));
}

async function openTriage(text: string): Promise<HTMLElement> {
  renderApp(
    testSession({
      patientId: null,
      scope: buildScope('inbox', 'v2', false),
      fhirUser: 'Practitioner/fd-brooks',
      needPatientBanner: true,
    }),
  );
  await userEvent.click(await screen.findByRole('tab', { name: /Unknown numbers/ }));
  const list = screen.getByRole('tabpanel');
  const row = await within(list).findByRole('button', { name: new RegExp(text) });
  await userEvent.click(row);
  return screen.findByRole('region', { name: /Text from/ });
}

describe('a text from an unknown number', () => {
  test('when the front desk finds the patient by name and links the text with her number, then it files in her thread and her chart gets the number', async () => {
    seed();
    const pane = await openTriage('new number');
    expect(within(pane).getByRole('heading', { name: 'Text from (201) 555-0199' })).toBeInTheDocument();
    expect(within(pane).getByText('Hi, this is Grace, new number!')).toBeInTheDocument();
    await within(pane).findByText(/No patient or family member in the EHR has this number/);
    await userEvent.type(within(pane).getByRole('searchbox', { name: 'Name, birth date or phone' }), 'kim{Enter}');
    await userEvent.click(await within(pane).findByRole('radio', { name: /Grace Kim/ }));
    expect(within(pane).getByRole('radio', { name: /Gregory Kimball/ })).toBeInTheDocument();
    await userEvent.click(
      within(pane).getByRole('checkbox', { name: /Also add \(201\) 555-0199 to Grace Kim’s chart/ }),
    );
    await userEvent.click(within(pane).getByRole('button', { name: 'Link to Grace Kim' }));

    // The thread opens, with the message in it.
    const thread = await screen.findByRole('region', { name: 'Messages' });
    await within(thread).findByText('Hi, this is Grace, new number!');

    const ehr = servers.ehr();
    const message = ehr.get<Communication>('Communication', 'unknown-1');
    const header = ehr
      .all<Communication>('Communication')
      .find((c) => c.identifier?.some((i) => i.value === threadKey('Patient/p0010', PRACTICE.smsNumber)));
    expect(message).toMatchObject({
      meta: { profile: [PROFILES.inboundMessage] },
      subject: { reference: 'Patient/p0010' },
      sender: { reference: 'Patient/p0010' },
      partOf: [{ reference: `Communication/${header?.id ?? '?'}` }],
    });
    expect(codeFrom(message?.category, CODE_SYSTEMS.communicationKind)).toBe(CODES.communicationKind.message);
    expect(codeFrom(message?.category, CODE_SYSTEMS.direction)).toBe(CODES.direction.inbound);
    expect(ehr.get<Task>('Task', 'triage-unknown-1')).toMatchObject({
      status: 'completed',
      for: { reference: 'Patient/p0010' },
      businessStatus: { coding: [{ code: CODES.taskBusinessStatus.linked }] },
    });
    expect(ehr.get<Patient>('Patient', 'p0010')?.telecom).toContainEqual({
      system: 'phone',
      use: 'mobile',
      value: UNKNOWN,
    });
    const waiting = ehr
      .all<Task>('Task')
      .filter((t) => hasCoding(t.code, CODE_SYSTEMS.task, CODES.task.needsResponse) && t.status === 'requested');
    expect(waiting).toEqual([
      expect.objectContaining({
        focus: { reference: `Communication/${header?.id ?? '?'}` },
        for: { reference: 'Patient/p0010' },
        executionPeriod: { start: message?.received },
      }),
    ]);
    expect(TOKENS.needsResponse).toContain('needs-response');
  });

  test('when staff do not confirm, then the chart keeps its numbers', async () => {
    seed();
    const pane = await openTriage('new number');
    await userEvent.type(within(pane).getByRole('searchbox'), '8/27/1988{Enter}');
    await userEvent.click(await within(pane).findByRole('radio', { name: /Grace Kim/ }));
    await userEvent.click(within(pane).getByRole('button', { name: 'Link to Grace Kim' }));
    await screen.findByRole('region', { name: 'Messages' });
    expect(servers.ehr().get<Patient>('Patient', 'p0010')?.telecom).toEqual([]);
  });

  test('when the search makes no sense, then it says what to type', async () => {
    seed();
    const pane = await openTriage('new number');
    await userEvent.type(within(pane).getByRole('searchbox'), 'k{Enter}');
    expect(await within(pane).findByText('Type at least two letters of a name.')).toBeInTheDocument();
    await userEvent.clear(within(pane).getByRole('searchbox'));
    await userEvent.type(within(pane).getByRole('searchbox'), 'zzz{Enter}');
    expect(await within(pane).findByText('No patient matches “zzz”.')).toBeInTheDocument();
  });

  test.each([
    ['Wrong number', CODES.taskBusinessStatus.wrongNumber],
    ['Spam', CODES.taskBusinessStatus.spam],
  ])('when marked "%s", then the triage Task closes as %s and leaves the list', async (button, code) => {
    seed();
    const pane = await openTriage('new number');
    await userEvent.click(within(pane).getByRole('button', { name: button }));
    await waitFor(() =>
      expect(servers.ehr().get<Task>('Task', 'triage-unknown-1')).toMatchObject({
        status: 'completed',
        businessStatus: { coding: [{ code }] },
      }),
    );
    await waitFor(() => expect(screen.getByRole('tabpanel')).not.toHaveTextContent('new number'));
    expect(servers.ehr().get<Communication>('Communication', 'unknown-1')?.subject).toBeUndefined();
  });
});

describe('a text from a shared family number', () => {
  test('when the front desk chooses the father, then the text files in his thread about Lucas, and no number is added', async () => {
    seed();
    const pane = await openTriage('fever');
    await within(pane).findByText(/on file for more than one person/);
    expect(within(pane).getByRole('radio', { name: /^Ana Torres/ })).toBeInTheDocument();
    expect(within(pane).getByRole('radio', { name: /^Lucas Torres/ })).toBeInTheDocument();
    await userEvent.click(within(pane).getByRole('radio', { name: /Miguel Torres.*father of Lucas Torres/ }));
    expect(within(pane).queryByRole('checkbox')).not.toBeInTheDocument();
    await userEvent.click(within(pane).getByRole('button', { name: 'Link to Miguel Torres' }));
    await screen.findByRole('region', { name: 'Messages' });

    const ehr = servers.ehr();
    expect(ehr.get<Communication>('Communication', 'family-1')).toMatchObject({
      subject: { reference: 'Patient/p0006' },
      sender: { reference: 'RelatedPerson/rp0001' },
    });
    const header = ehr
      .all<Communication>('Communication')
      .find((c) =>
        c.identifier?.some(
          (i) =>
            i.system === IDENTIFIER_SYSTEMS.thread && i.value === threadKey('RelatedPerson/rp0001', PRACTICE.smsNumber),
        ),
      );
    expect(header).toMatchObject({
      subject: { reference: 'Patient/p0006' },
      recipient: [{ reference: 'RelatedPerson/rp0001' }],
    });
    expect(ehr.get<Task>('Task', 'triage-family-1')?.for).toEqual({ reference: 'Patient/p0006' });
  });
});
