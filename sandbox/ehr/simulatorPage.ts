/**
 * The simulator's start page: who is signed in, whose chart is open, which look and which app; then open the chart
 * (EHR launch with the patient) or the practice inbox (EHR launch without patient).
 */
import { PATIENTS, STAFF } from '../seed/roster';
import { html, type Html } from '../auth/html';
import { patientLabel, staffName } from '../auth/interactionPages';
import { ehrPage } from './ehrPage';
import { THEMES, type ThemeId } from './smartStyles';

/** Which app the chart embeds. */
export type AppChoice = 'charttext' | 'placeholder';

/** What the start page shows, and what was chosen last (to redisplay after a problem). */
export interface SimulatorPage {
  appLaunchUrl: string;
  fhirBaseUrl: string;
  placeholderUrl: string;
  choice: { user: string; patient: string; theme: ThemeId; app: AppChoice };
  problem?: string;
}

/** The start page. */
export function simulatorPage(nonce: string, page: SimulatorPage): Html {
  const { choice } = page;
  const staff = STAFF.map(
    (member) =>
      html`<label class="choice"
        ><input type="radio" name="user" value="${member.id}" ${member.id === choice.user ? html`checked` : ''} />
        ${staffName(member)}<span class="role">${member.role === 'clinician' ? 'Clinician' : 'Front desk'}</span></label
      >`,
  );
  const patients = [...PATIENTS]
    .sort((a, b) => a.family.localeCompare(b.family))
    .map(
      (patient) =>
        html`<option value="${patient.id}" ${patient.id === choice.patient ? html`selected` : ''}>
          ${patientLabel(patient)}
        </option>`,
    );
  const themes = Object.entries(THEMES).map(
    ([id, theme]) => html`<option value="${id}" ${id === choice.theme ? html`selected` : ''}>${theme.label}</option>`,
  );
  const apps: [AppChoice, string, string][] = [
    ['charttext', 'ChartText', page.appLaunchUrl],
    ['placeholder', 'Placeholder app', 'proves the launch before ChartText runs'],
  ];
  // ChartText's launch page with `iss` alone: a standalone launch (docs/decisions/041); `context` picks the view.
  const chartTextStandalone = (context: 'chart' | 'inbox'): string =>
    `${page.appLaunchUrl}?iss=${encodeURIComponent(page.fhirBaseUrl)}&context=${context}`;
  const standalone = (kind: string): string =>
    `${page.placeholderUrl}?iss=${encodeURIComponent(page.fhirBaseUrl)}&standalone=${kind}`;

  return ehrPage({
    nonce,
    title: 'Open ChartText',
    theme: choice.theme,
    body: html`<main class="start">
      <section>
        <h1>Open ChartText from the EHR</h1>
        <p class="lead">
          Choose who is signed in and whose chart is open. The EHR then launches the app inside the chart, the way a
          real EHR does (SMART EHR launch).
        </p>
        ${page.problem ? html`<p class="problem" role="alert">${page.problem}</p>` : ''}
        <form class="card" method="post" action="/ehr/launch">
          <fieldset>
            <legend>Signed-in user</legend>
            <div class="choices">${staff}</div>
          </fieldset>
          <fieldset>
            <legend>Patient</legend>
            <select name="patient" aria-label="Patient">
              <option value="">No patient (practice inbox)</option>
              ${patients}
            </select>
            <p class="hint">Open the inbox to launch without a patient, as front-desk staff do.</p>
          </fieldset>
          <fieldset>
            <legend>App</legend>
            <div class="choices">
              ${apps.map(
                ([id, label, detail]) =>
                  html`<label class="choice"
                    ><input type="radio" name="app" value="${id}" ${id === choice.app ? html`checked` : ''} />
                    <span>${label}<br /><span class="hint">${detail}</span></span></label
                  >`,
              )}
            </div>
          </fieldset>
          <fieldset>
            <legend>EHR look (SMART style)</legend>
            <select name="theme" aria-label="EHR look">
              ${themes}
            </select>
          </fieldset>
          <div class="actions">
            <button class="primary" type="submit" name="view" value="chart">Open patient chart</button>
            <button type="submit" name="view" value="inbox">Open practice inbox</button>
          </div>
        </form>
      </section>
      <aside>
        <div class="card">
          <h2>Standalone launch</h2>
          <p class="hint">The app opened on its own: the sandbox asks who you are (and which patient).</p>
          <ul class="links">
            <li>
              <a href="${chartTextStandalone('chart')}" target="_blank" rel="noopener"
                >ChartText with a patient picker</a
              >
            </li>
            <li>
              <a href="${chartTextStandalone('inbox')}" target="_blank" rel="noopener">ChartText practice inbox</a>
            </li>
            <li>
              <a href="${standalone('patient')}" target="_blank" rel="noopener"
                >Placeholder app with a patient picker</a
              >
            </li>
            <li>
              <a href="${standalone('inbox')}" target="_blank" rel="noopener">Placeholder app without a patient</a>
            </li>
          </ul>
        </div>
        <div class="card">
          <h2>For the app registration</h2>
          <dl class="facts">
            <dt>FHIR base (iss)</dt>
            <dd>${page.fhirBaseUrl}</dd>
            <dt>Discovery</dt>
            <dd><a href="${page.fhirBaseUrl}/.well-known/smart-configuration">.well-known/smart-configuration</a></dd>
            <dt>App launch URL</dt>
            <dd>${page.appLaunchUrl}</dd>
            <dt>SMART styles</dt>
            <dd>${Object.values(THEMES).map((theme) => html`<a href="${theme.path}">${theme.path}</a> `)}</dd>
          </dl>
        </div>
      </aside>
    </main>`,
  });
}
