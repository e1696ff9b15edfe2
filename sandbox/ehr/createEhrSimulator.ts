/**
 * The EHR simulator, an Express router mounted at the sandbox root: the start page (`/`), the launch (`POST
 * /ehr/launch`), the mock chart with the app in an iframe (`/ehr/chart/:launch`), the SMART style documents, and the
 * placeholder app that proves a launch before ChartText runs.
 */
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import express, { type Router } from 'express';
import { PATIENTS, STAFF } from '../seed/roster';
import type { AuthServer } from '../auth/createAuthServer';
import { PLACEHOLDER_CLIENT_ID } from '../auth/clients';
import { html, sendPage } from '../auth/html';
import { chartPage } from './chartPage';
import { ehrPage, ehrPolicy } from './ehrPage';
import { placeholderAppPage } from './placeholderApp';
import { simulatorPage, type AppChoice, type SimulatorPage } from './simulatorPage';
import { THEMES, themeId, type ThemeId } from './smartStyles';

/** Default app launch URL: ChartText's launch page. */
export const DEFAULT_APP_LAUNCH_URL = 'http://127.0.0.1:3000/launch/';

/** What the simulator needs. */
export interface EhrSimulatorOptions {
  /** The authorization server, which records launches. */
  auth: Pick<AuthServer, 'createLaunch' | 'openChart' | 'readChart'>;
  /** The FHIR base the EHR passes as `iss`. */
  fhirBaseUrl: string;
  /** Where the sandbox is reached (style documents, placeholder app); default: the FHIR base's origin. */
  sandboxOrigin?: string;
  /** ChartText's launch URL (default http://127.0.0.1:3000/launch/). */
  appLaunchUrl?: string;
}

const stylesheet = fileURLToPath(new URL('./ehr.css', import.meta.url));
const fhirClientBundle = createRequire(import.meta.url).resolve('fhirclient/build/fhir-client.js');

const appChoice = (value: unknown): AppChoice => (value === 'placeholder' ? 'placeholder' : 'charttext');

/** The simulator's routes; mount at `/`. */
export function createEhrSimulator(options: EhrSimulatorOptions): Router {
  const fhirBaseUrl = options.fhirBaseUrl.replace(/\/+$/, '');
  const origin = (options.sandboxOrigin ?? new URL(fhirBaseUrl).origin).replace(/\/+$/, '');
  const appLaunchUrl = options.appLaunchUrl ?? DEFAULT_APP_LAUNCH_URL;
  const placeholderUrl = `${origin}/ehr/placeholder-app/`;
  const styleUrl = (theme: ThemeId): string => `${origin}${THEMES[theme].path}`;
  const router = express.Router();

  const start =
    (choice: SimulatorPage['choice'], problem?: string): ((nonce: string) => ReturnType<typeof simulatorPage>) =>
    (nonce) =>
      simulatorPage(nonce, { appLaunchUrl, fhirBaseUrl, placeholderUrl, choice, ...(problem ? { problem } : {}) });

  router.get('/', (_req, res) => {
    const choice = { user: 'dr-lee', patient: 'p0001', theme: 'riverside', app: 'charttext' } as const;
    sendPage(res, start(choice), (nonce) => ehrPolicy(nonce));
  });

  router.post('/ehr/launch', express.urlencoded({ extended: false, limit: '4kb' }), (req, res) => {
    const body = req.body as Record<string, unknown>;
    const user = STAFF.find((member) => member.id === body.user)?.id;
    const patient = PATIENTS.find((candidate) => candidate.id === body.patient)?.id;
    const theme = themeId(body.theme);
    const app = appChoice(body.app);
    const inbox = body.view === 'inbox';
    const problem = !user
      ? 'Choose who is signed in.'
      : !inbox && !patient
        ? 'Choose a patient to open a chart.'
        : undefined;
    if (!user || problem) {
      res.status(400);
      sendPage(res, start({ user: user ?? '', patient: patient ?? '', theme, app }, problem), (nonce) =>
        ehrPolicy(nonce),
      );
      return;
    }
    const chart = options.auth.openChart({
      user,
      ...(inbox || !patient ? {} : { patient }),
      // Inside the chart the EHR shows the banner; the inbox shows none, so a thread the app opens needs its own.
      needPatientBanner: inbox,
      styleUrl: styleUrl(theme),
    });
    res.redirect(303, `/ehr/chart/${encodeURIComponent(chart)}?app=${app}`);
  });

  router.get('/ehr/chart/:chart', (req, res) => {
    const context = options.auth.readChart(req.params.chart);
    if (!context) {
      res.status(404);
      sendPage(
        res,
        (nonce) =>
          ehrPage({
            nonce,
            title: 'Chart closed',
            theme: 'riverside',
            body: html`<main class="start">
              <section class="card">
                <h1>This chart has closed</h1>
                <p class="lead">Charts stay open for a clinic day. <a href="/">Open the chart again</a>.</p>
              </section>
            </main>`,
          }),
        (nonce) => ehrPolicy(nonce),
      );
      return;
    }
    const app = appChoice(req.query.app);
    // Each showing of the chart starts the app with a fresh single-use launch value, as an EHR does.
    const launch = options.auth.createLaunch(context);
    const target = new URL(app === 'placeholder' ? placeholderUrl : appLaunchUrl);
    target.searchParams.set('iss', fhirBaseUrl);
    target.searchParams.set('launch', launch);
    // ChartText's registered inbox entry: an EHR launch without a patient opens the practice inbox (ADR 041).
    if (context.patient === undefined && app !== 'placeholder') target.searchParams.set('context', 'inbox');
    const theme =
      (Object.keys(THEMES) as ThemeId[]).find((id) => styleUrl(id) === context.styleUrl) ?? ('riverside' as const);
    sendPage(
      res,
      (nonce) =>
        chartPage(nonce, {
          launch,
          context,
          theme,
          iframeSrc: target.href,
          fhirBaseUrl,
          defaultStyleUrl: styleUrl('riverside'),
        }),
      (nonce) => ehrPolicy(nonce, { frameSrc: [target.origin] }),
    );
  });

  for (const theme of Object.values(THEMES)) {
    router.get(theme.path, (_req, res) => {
      // Apps on other origins fetch their style from here.
      res.setHeader('Access-Control-Allow-Origin', '*');
      res.json(theme.style);
    });
  }

  router.get('/ehr/ehr.css', (_req, res) => {
    res.sendFile(stylesheet);
  });

  router.get('/ehr/placeholder-app/', (_req, res) => {
    sendPage(
      res,
      (nonce) => placeholderAppPage(nonce, PLACEHOLDER_CLIENT_ID),
      (nonce) => ehrPolicy(nonce, { connectSrc: [new URL(fhirBaseUrl).origin] }),
    );
  });

  router.get('/ehr/placeholder-app/fhir-client.js', (_req, res) => {
    res.sendFile(fhirClientBundle);
  });

  return router;
}
