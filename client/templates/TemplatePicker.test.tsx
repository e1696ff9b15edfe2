import type { Communication } from '@medplum/fhirtypes';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { describe, expect, test } from 'vitest';
import { EXTERNAL_SYSTEMS } from '../../fhir-profiles/vocabulary';
import { inboundMessage, threadHeader } from '../../test/fixtures/messages';
import { patient, practice, practitioner } from '../../test/fixtures/people';
import { renderApp, startFakeServers, testSession } from '../testing/renderClient';

const servers = startFakeServers();

const SPANISH = [{ language: { coding: [{ system: EXTERNAL_SYSTEMS.bcp47, code: 'es' }] }, preferred: true }];

function seedChart(options: { spanish?: boolean } = {}): void {
  servers
    .ehr()
    .add(
      patient(options.spanish ? { communication: SPANISH } : {}),
      practice(),
      practitioner(),
      threadHeader('p0001'),
      inboundMessage({ id: 'a', body: '¿Está lista mi receta?' }),
    );
}

async function openTemplates(): Promise<HTMLElement> {
  renderApp(testSession());
  await screen.findByText('¿Está lista mi receta?');
  await screen.findByText('•••-•••-0123');
  await userEvent.click(screen.getByRole('button', { name: 'Templates' }));
  return screen.findByRole('listbox', { name: 'Templates' });
}

const box = (): HTMLTextAreaElement => screen.getByRole('textbox', { name: 'Message to the patient' });

describe('message templates', () => {
  test('when the patient prefers Spanish, then the templates are in Spanish, filled from the chart', async () => {
    seedChart({ spanish: true });
    const list = await openTemplates();
    expect(within(list).getByRole('option', { name: /Por favor llámenos/ })).toBeInTheDocument();
    expect(screen.getByRole('radio', { name: 'Español (preferred)' })).toBeChecked();
    await userEvent.click(within(list).getByRole('option', { name: /Por favor llámenos/ }));
    expect(box().value).toBe(
      'Hola María, le escribimos de Riverside Family Medicine. Por favor llámenos al (201) 555-0101 cuando pueda. ¡Gracias!',
    );
    expect(screen.getByRole('button', { name: 'Send' })).toBeEnabled();
  });

  test('when staff switch the language, then the same templates come in English', async () => {
    seedChart({ spanish: true });
    const list = await openTemplates();
    await userEvent.click(screen.getByRole('radio', { name: 'English' }));
    await userEvent.click(within(list).getByRole('option', { name: /Please call us/ }));
    expect(box().value).toBe(
      'Hi María, this is Riverside Family Medicine. Please call us at (201) 555-0101 when you have a moment. Thank you!',
    );
  });

  test('when a variable cannot be filled from the chart, then it is marked and sending waits until staff replace it', async () => {
    seedChart();
    const list = await openTemplates();
    const option = within(list).getByRole('option', { name: /Video visit link/ });
    expect(within(option).getByText('{appointmentTime}').tagName).toBe('MARK');
    await userEvent.click(option);
    expect(box().value).toContain('Your video visit is at {appointmentTime}. Join');
    const send = screen.getByRole('button', { name: 'Send' });
    expect(send).toBeDisabled();
    expect(screen.getByText(/Fill in \{appointmentTime\}, \{visitLink\} before sending/)).toBeInTheDocument();
    expect(box()).toHaveAttribute('aria-invalid', 'true');
    expect(document.querySelectorAll('.composer__highlights mark')).toHaveLength(2);
    // The cursor is on the first one: typing replaces it.
    await waitFor(() => expect(box().selectionEnd - box().selectionStart).toBe('{appointmentTime}'.length));
    await userEvent.keyboard('3:30 PM');
    expect(box().value).toContain('Your video visit is at 3:30 PM. Join');
    await userEvent.keyboard('{Enter}');
    expect(
      servers
        .ehr()
        .all<Communication>('Communication')
        .some((c) => c.status === 'preparation'),
    ).toBe(false);
    const value = box().value.replace('{visitLink}', 'https://visit.example.org/r/42');
    await userEvent.clear(box());
    await userEvent.type(box(), value);
    expect(send).toBeEnabled();
    await userEvent.click(send);
    await waitFor(() =>
      expect(
        servers
          .ehr()
          .all<Communication>('Communication')
          .find((c) => c.status === 'preparation')?.payload?.[0]?.contentString,
      ).toBe(value),
    );
  });

  test('when the practice set a payment link in the template file, then it is filled', async () => {
    seedChart();
    servers.relay().templates.variables = { paymentLink: 'https://pay.riverside.example' };
    const list = await openTemplates();
    await userEvent.click(within(list).getByRole('option', { name: /Payment reminder/ }));
    expect(box().value).toContain('You can pay securely online: https://pay.riverside.example.');
    expect(screen.getByRole('button', { name: 'Send' })).toBeEnabled();
  });

  test('keyboard: arrows move through the templates, Enter picks one, Escape closes', async () => {
    seedChart();
    const list = await openTemplates();
    await waitFor(() => expect(list).toHaveFocus());
    await userEvent.keyboard('{ArrowDown}{ArrowDown}');
    expect(within(list).getByRole('option', { name: /Payment reminder/ })).toHaveAttribute('aria-selected', 'true');
    await userEvent.keyboard('{End}{Enter}');
    expect(box().value).toContain('your prescription refill has been sent to your pharmacy');
    expect(screen.queryByRole('listbox')).not.toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Templates' }));
    await screen.findByRole('listbox');
    await userEvent.keyboard('{Escape}');
    expect(screen.queryByRole('listbox')).not.toBeInTheDocument();
  });

  test('when the template file is broken, then the picker says what the server said', async () => {
    seedChart();
    servers.server.use(
      http.get('*/api/templates', () =>
        HttpResponse.json(
          {
            resourceType: 'OperationOutcome',
            issue: [
              {
                severity: 'error',
                code: 'exception',
                diagnostics: "The practice's message templates cannot be used: not valid JSON.",
              },
            ],
          },
          { status: 503 },
        ),
      ),
    );
    renderApp(testSession());
    await screen.findByText('¿Está lista mi receta?');
    await userEvent.click(screen.getByRole('button', { name: 'Templates' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('message templates cannot be used: not valid JSON');
  });
});
