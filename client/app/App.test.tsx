import { screen, waitFor } from '@testing-library/react';
import axe from 'axe-core';
import { http, HttpResponse } from 'msw';
import { describe, expect, test } from 'vitest';
import { inboundMessage, outboundMessage, smsConsent, threadHeader, twilioOutcome } from '../../test/fixtures/messages';
import { patient, practice, practitioner } from '../../test/fixtures/people';
import { renderApp, startFakeServers, testSession } from '../testing/renderClient';

const servers = startFakeServers();

function seedChart(): void {
  servers.ehr().add(
    patient(),
    practice(),
    practitioner(),
    threadHeader('p0001'),
    inboundMessage({ id: 'a', body: 'Is my prescription ready?' }),
    outboundMessage({
      id: 'b',
      body: 'Yes, pick it up after 2pm.',
      status: 'stopped',
      extension: twilioOutcome('undelivered', { code: 30003, message: 'Unreachable' }),
    }),
  );
}

/** Serious and critical axe violations in the page (colour contrast needs layout, which jsdom lacks: checked in Chromium). */
async function seriousViolations(): Promise<string[]> {
  const results = await axe.run(document.body, { rules: { 'color-contrast': { enabled: false } } });
  // A run that checked nothing would pass vacuously.
  expect(results.passes.length).toBeGreaterThan(10);
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

describe('inside the EHR', () => {
  test('when the EHR asks for a patient banner, then name, birth date and MRN are shown', async () => {
    seedChart();
    renderApp(testSession({ needPatientBanner: true }));
    const banner = await screen.findByRole('banner', { name: 'Patient' });
    await waitFor(() => expect(banner).toHaveTextContent('María García'));
    expect(banner).toHaveTextContent(/Born\s*Apr 12, 1968 \(\d+ y\)/);
    expect(banner).toHaveTextContent('MRN RF100001');
  });

  test('when the EHR shows its own banner, then the app does not repeat it', async () => {
    seedChart();
    renderApp(testSession({ needPatientBanner: false }));
    await screen.findByText('Is my prescription ready?');
    expect(screen.queryByRole('banner', { name: 'Patient' })).not.toBeInTheDocument();
  });

  test('when the EHR gives a style URL, then its colours, font and radius become the app’s CSS variables', async () => {
    seedChart();
    servers.server.use(
      http.get('https://ehr.example.org/styles/smart-v1.json', () =>
        HttpResponse.json({
          color_background: '#edeae3',
          color_highlight: '#69b5ce',
          color_text: '#303030',
          dim_border_radius: '2px',
          font_family_body: 'Georgia, serif',
        }),
      ),
    );
    renderApp(testSession({ smartStyleUrl: 'https://ehr.example.org/styles/smart-v1.json' }));
    await waitFor(() => expect(document.documentElement.dataset.ehrStyle).toBe('applied'));
    const style = document.documentElement.style;
    expect(style.getPropertyValue('--ct-bg')).toBe('#edeae3');
    expect(style.getPropertyValue('--ct-accent')).toBe('#69b5ce');
    expect(style.getPropertyValue('--ct-radius')).toBe('2px');
    expect(style.getPropertyValue('--ct-font')).toBe('Georgia, serif');
  });

  test('when the style document cannot be fetched, then the app keeps its own look and works', async () => {
    seedChart();
    servers.server.use(
      http.get('https://ehr.example.org/styles/missing.json', () => new HttpResponse(null, { status: 404 })),
    );
    renderApp(testSession({ smartStyleUrl: 'https://ehr.example.org/styles/missing.json' }));
    expect(await screen.findByText('Is my prescription ready?')).toBeInTheDocument();
    expect(document.documentElement.dataset.ehrStyle).toBeUndefined();
  });

  test('when launched without a patient, then the practice inbox opens', async () => {
    renderApp(testSession({ patientId: null }));
    expect(await screen.findByRole('heading', { name: 'Practice inbox' })).toBeInTheDocument();
  });
});

describe('accessibility', () => {
  test('the thread with a failed message and a banner has no serious or critical axe violations', async () => {
    seedChart();
    renderApp(testSession({ needPatientBanner: true }));
    await screen.findByText('Yes, pick it up after 2pm.');
    await screen.findByText('•••-•••-0123');
    expect(await seriousViolations()).toEqual([]);
  });

  test('the composer blocked by an opt-out has no serious or critical axe violations', async () => {
    seedChart();
    servers.ehr().add(smsConsent('p0001', 'deny'));
    renderApp();
    await screen.findByText(/opted out of texts/);
    expect(await seriousViolations()).toEqual([]);
  });

  test('the session-expired screen has no serious or critical axe violations', async () => {
    seedChart();
    servers.ehr().tokenValid = false;
    renderApp();
    await screen.findByRole('heading', { name: 'Your ChartText session has ended' });
    expect(await seriousViolations()).toEqual([]);
  });
});
