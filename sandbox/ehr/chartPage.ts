/**
 * The mock chart: the EHR's top bar, the patient banner, a left navigation, and the launched app in an iframe
 * (`src = <app launch URL>?iss=<FHIR base>&launch=<id>`), with the launch context in a collapsible debug panel.
 */
import { PATIENTS, STAFF, type RosterPatient } from '../seed/roster';
import { html, type Html } from '../auth/html';
import type { LaunchContext } from '../auth/launchContext';
import { staffName } from '../auth/interactionPages';
import { ehrPage } from './ehrPage';
import type { ThemeId } from './smartStyles';

/** What the chart page shows. */
export interface ChartPage {
  launch: string;
  context: LaunchContext;
  theme: ThemeId;
  iframeSrc: string;
  fhirBaseUrl: string;
  defaultStyleUrl: string;
}

const SEX: Record<RosterPatient['gender'], string> = { female: 'Female', male: 'Male', other: 'Other' };

function ageOn(birthDate: string, today: Date): number {
  const born = new Date(`${birthDate}T00:00:00Z`);
  let age = today.getUTCFullYear() - born.getUTCFullYear();
  const birthdayPassed =
    today.getUTCMonth() > born.getUTCMonth() ||
    (today.getUTCMonth() === born.getUTCMonth() && today.getUTCDate() >= born.getUTCDate());
  if (!birthdayPassed) age -= 1;
  return age;
}

function banner(patientId: string | undefined): Html {
  if (patientId === undefined) {
    return html`<div class="banner inbox" aria-label="Context">
      <span class="name">Practice inbox</span><span class="detail">No patient selected</span>
    </div>`;
  }
  const patient = PATIENTS.find((candidate) => candidate.id === patientId);
  if (!patient) {
    return html`<div class="banner" aria-label="Patient banner"><span class="name">Patient ${patientId}</span></div>`;
  }
  return html`<div class="banner" aria-label="Patient banner">
    <span class="name">${patient.family}, ${patient.given}</span>
    <span class="detail"><b>${SEX[patient.gender]}</b></span>
    <span class="detail">Age <b>${ageOn(patient.birthDate, new Date())}</b></span>
    <span class="detail">DOB <b>${patient.birthDate}</b></span>
    <span class="detail">MRN <b>${patient.mrn}</b></span>
    ${patient.language === 'es' ? html`<span class="detail">Language <b>Spanish</b></span>` : ''}
  </div>`;
}

function navigation(hasPatient: boolean): Html {
  const items = hasPatient
    ? ['Summary', 'Problems', 'Medications', 'Results', 'Notes', 'ChartText']
    : ['Schedule', 'Tasks', 'ChartText'];
  return html`<nav class="nav" aria-label="Chart">
    <h3>${hasPatient ? 'Chart' : 'Practice'}</h3>
    <ul>
      ${items.map((item) =>
        item === 'ChartText'
          ? html`<li class="active" aria-current="page">ChartText messages</li>`
          : html`<li>${item}</li>`,
      )}
    </ul>
  </nav>`;
}

/** The chart with the app launched in it. */
export function chartPage(nonce: string, page: ChartPage): Html {
  const { context } = page;
  const member = STAFF.find((candidate) => candidate.id === context.user);
  const who = member
    ? `${staffName(member)} · ${member.role === 'clinician' ? 'Clinician' : 'Front desk'}`
    : context.user;
  return ehrPage({
    nonce,
    title: context.patient === undefined ? 'Practice inbox' : 'Chart',
    theme: page.theme,
    topbarEnd: html`<span class="who">Signed in: ${who}</span><a href="/">Switch user or patient</a>`,
    body: html`<div class="chart">
      ${banner(context.patient)} ${navigation(context.patient !== undefined)}
      <main class="workspace">
        <iframe title="ChartText" src="${page.iframeSrc}"></iframe>
        <details class="debug">
          <summary>Launch context (what the EHR grants the app)</summary>
          <dl class="facts">
            <dt>launch</dt>
            <dd>${page.launch}</dd>
            <dt>iss</dt>
            <dd>${page.fhirBaseUrl}</dd>
            <dt>user (fhirUser)</dt>
            <dd>${page.fhirBaseUrl}/Practitioner/${context.user}</dd>
            <dt>patient</dt>
            <dd>${context.patient ?? '(none)'}</dd>
            <dt>need_patient_banner</dt>
            <dd>${String(context.needPatientBanner ?? false)}</dd>
            <dt>smart_style_url</dt>
            <dd>${context.styleUrl ?? page.defaultStyleUrl}</dd>
            <dt>iframe src</dt>
            <dd>${page.iframeSrc}</dd>
          </dl>
        </details>
      </main>
    </div>`,
  });
}
