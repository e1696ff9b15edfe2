/**
 * The EHR simulator over HTTP: the start page, launch creation, the chart around the app, the SMART style documents
 * and the placeholder app's files.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startAuthHarness, type AuthHarness } from '../auth/testHarness';
import { createEhrSimulator } from './createEhrSimulator';
import { THEMES } from './smartStyles';

const APP_LAUNCH_URL = 'http://127.0.0.1:3999/launch/';
let harness: AuthHarness;

beforeAll(async () => {
  harness = await startAuthHarness({
    mount: (app, _origin, auth) => {
      app.use(createEhrSimulator({ auth, fhirBaseUrl: auth.fhirBaseUrl, appLaunchUrl: APP_LAUNCH_URL }));
    },
  });
});

afterAll(async () => {
  await harness.close();
});

async function launch(fields: Record<string, string>): Promise<Response> {
  return fetch(`${harness.origin}/ehr/launch`, {
    method: 'POST',
    body: new URLSearchParams(fields),
    redirect: 'manual',
  });
}

function chartIdFrom(response: Response): string {
  const location = response.headers.get('location') ?? '';
  const match = /^\/ehr\/chart\/([^?]+)\?app=(charttext|placeholder)$/.exec(location);
  expect(match, location).not.toBeNull();
  return decodeURIComponent(match?.[1] ?? '');
}

/** The `launch` value in the chart page's iframe src. */
function launchIn(page: string): string {
  const src = /<iframe title="[^"]+" src="([^"]+)"/.exec(page)?.[1]?.replaceAll('&amp;', '&') ?? '';
  return new URL(src).searchParams.get('launch') ?? '';
}

describe('start page', () => {
  test('when someone opens the sandbox, then they can pick a staff member, a patient, an app and a look', async () => {
    const response = await fetch(`${harness.origin}/`);
    const page = await response.text();
    expect(response.status).toBe(200);
    expect(response.headers.get('content-security-policy')).toMatch(/script-src 'self' 'nonce-/);
    for (const text of [
      'Dr. Dana Lee',
      'Jordan Brooks',
      'Front desk',
      'García, María',
      'No patient (practice inbox)',
    ]) {
      expect(page).toContain(text);
    }
    expect(page).toContain('Night shift (dark)');
    expect(page).toContain(APP_LAUNCH_URL);
  });

  test('when someone wants ChartText on its own, then the page links its standalone launch for a chart and the inbox', async () => {
    const page = await (await fetch(`${harness.origin}/`)).text();
    const iss = encodeURIComponent(harness.fhirBaseUrl);
    expect(page).toContain(`href="${APP_LAUNCH_URL}?iss=${iss}&amp;context=chart"`);
    expect(page).toContain(`href="${APP_LAUNCH_URL}?iss=${iss}&amp;context=inbox"`);
  });
});

describe('launch', () => {
  test('when a clinician opens a patient chart, then the launch carries user, patient, style and no banner request', async () => {
    const response = await launch({
      user: 'dr-okafor',
      patient: 'p0015',
      view: 'chart',
      theme: 'night',
      app: 'charttext',
    });
    expect(response.status).toBe(303);
    const context = {
      user: 'dr-okafor',
      patient: 'p0015',
      needPatientBanner: false,
      styleUrl: `${harness.origin}${THEMES.night.path}`,
    };
    expect(harness.auth.readChart(chartIdFrom(response))).toEqual(context);

    const chart = await fetch(new URL(String(response.headers.get('location')), harness.origin));
    const page = await chart.text();
    const id = launchIn(page);
    expect(harness.auth.readLaunch(id)).toEqual(context);
    const iframeSrc = new URL(`${APP_LAUNCH_URL}?iss=${encodeURIComponent(harness.fhirBaseUrl)}&launch=${id}`).href;
    expect(page).toContain(`<iframe title="ChartText" src="${iframeSrc.replaceAll('&', '&amp;')}"`);
    expect(page).toContain('Mensah, Kwame');
    expect(page).toContain('MRN <b>RF100015</b>');
    expect(page).toContain('Signed in: Dr. Chidi Okafor · Clinician');
    expect(chart.headers.get('content-security-policy')).toContain("frame-src 'self' http://127.0.0.1:3999");
  });

  test('when the front desk opens the inbox, then the launch has no patient and asks the app for a banner', async () => {
    const response = await launch({
      user: 'fd-brooks',
      patient: 'p0001',
      view: 'inbox',
      theme: 'riverside',
      app: 'placeholder',
    });
    expect(harness.auth.readChart(chartIdFrom(response))).toEqual({
      user: 'fd-brooks',
      needPatientBanner: true,
      styleUrl: `${harness.origin}${THEMES.riverside.path}`,
    });
    const page = await (await fetch(new URL(String(response.headers.get('location')), harness.origin))).text();
    expect(page).toContain('Practice inbox');
    expect(page).toContain(`src="${harness.origin}/ehr/placeholder-app/?iss=`);
  });

  test('when the front desk opens the inbox in ChartText, then the app is launched on its inbox entry', async () => {
    const response = await launch({ user: 'fd-brooks', patient: '', view: 'inbox', app: 'charttext' });
    const page = await (await fetch(new URL(String(response.headers.get('location')), harness.origin))).text();
    const id = launchIn(page);
    const iframeSrc = new URL(
      `${APP_LAUNCH_URL}?iss=${encodeURIComponent(harness.fhirBaseUrl)}&launch=${id}&context=inbox`,
    ).href;
    expect(page).toContain(`<iframe title="ChartText" src="${iframeSrc.replaceAll('&', '&amp;')}"`);
  });

  test('when a chart is asked for without a patient, then the start page says to choose one', async () => {
    const response = await launch({ user: 'dr-lee', patient: '', view: 'chart' });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('Choose a patient to open a chart.');
  });

  test('when the user is not a staff member, then nothing is launched', async () => {
    const response = await launch({ user: 'mallory', patient: 'p0001', view: 'chart' });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('Choose who is signed in.');
  });

  test('when a chart URL is unknown, then the page says the chart has closed', async () => {
    const response = await fetch(`${harness.origin}/ehr/chart/unknown`);
    expect(response.status).toBe(404);
    expect(await response.text()).toContain('This chart has closed');
  });

  test('when the chart is shown again (a reload), then the app gets a new single-use launch', async () => {
    const response = await launch({ user: 'dr-lee', patient: 'p0001', view: 'chart', app: 'charttext' });
    const chartUrl = new URL(String(response.headers.get('location')), harness.origin);
    const first = launchIn(await (await fetch(chartUrl)).text());
    const second = launchIn(await (await fetch(chartUrl)).text());
    expect(second).not.toBe(first);
    expect(harness.auth.readLaunch(second)).toMatchObject({ user: 'dr-lee', patient: 'p0001' });
  });
});

describe('SMART styles and the placeholder app', () => {
  const properties = [
    'color_background',
    'color_error',
    'color_highlight',
    'color_modal_backdrop',
    'color_success',
    'color_text',
    'dim_border_radius',
    'dim_font_size',
    'dim_spacing_size',
    'font_family_body',
    'font_family_heading',
  ];

  test.each(Object.values(THEMES).map((theme) => [theme.path]))(
    'when an app fetches %s, then it gets every SMART style property, readable cross-origin',
    async (path) => {
      const response = await fetch(`${harness.origin}${path}`, { headers: { origin: 'http://127.0.0.1:3000' } });
      expect(response.headers.get('access-control-allow-origin')).toBe('*');
      const style = (await response.json()) as Record<string, string>;
      expect(Object.keys(style).sort()).toEqual(properties);
      expect(Object.values(style).every((value) => value.length > 0)).toBe(true);
    },
  );

  test('when the two styles are compared, then the alternate one really differs', async () => {
    const [light, night] = await Promise.all(
      [THEMES.riverside.path, THEMES.night.path].map(
        async (path) => (await (await fetch(`${harness.origin}${path}`)).json()) as Record<string, string>,
      ),
    );
    expect(night?.color_background).not.toBe(light?.color_background);
    expect(night?.color_text).not.toBe(light?.color_text);
  });

  test('when the placeholder app loads, then its page and the fhirclient browser build are served', async () => {
    const page = await fetch(`${harness.origin}/ehr/placeholder-app/`);
    expect(await page.text()).toContain('<script src="/ehr/placeholder-app/fhir-client.js"></script>');
    const bundle = await fetch(`${harness.origin}/ehr/placeholder-app/fhir-client.js`);
    expect(bundle.headers.get('content-type')).toMatch(/javascript/);
    expect(await bundle.text()).toContain('oauth2');
    const css = await fetch(`${harness.origin}/ehr/ehr.css`);
    expect(css.headers.get('content-type')).toMatch(/text\/css/);
  });
});
