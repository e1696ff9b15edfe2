/**
 * The authorization server's own pages: the standalone-launch sign-in (pick a staff member, and a patient when the
 * app asked for `launch/patient`) and the error page. Plain HTML, no external fonts or scripts.
 */
import { PATIENTS, PRACTICE, STAFF, type RosterPatient, type StaffMember } from '../seed/roster';
import { html, type Html } from './html';

const STYLE = `
:root{--bg:#f3f5f7;--surface:#fff;--text:#1d2a35;--muted:#5b6b78;--line:#d5dde3;--accent:#0b6e79;--error:#b42318;
--radius:6px;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:var(--text)}
*{box-sizing:border-box}body{margin:0;background:var(--bg);accent-color:var(--accent)}
.bar{background:var(--accent);color:#fff;padding:10px 24px;font-weight:600;letter-spacing:.01em}
.bar small{font-weight:400;opacity:.85;margin-left:8px}
main{max-width:560px;margin:32px auto;padding:0 16px}
.card{background:var(--surface);border:1px solid var(--line);border-radius:var(--radius);padding:24px 28px}
h1{font-size:20px;margin:0 0 4px}p.lead{color:var(--muted);margin:0 0 20px}
fieldset{border:0;padding:0;margin:0 0 20px}legend{font-weight:600;margin-bottom:8px}
.choice{display:flex;align-items:center;gap:10px;padding:8px 10px;border:1px solid var(--line);border-radius:var(--radius);margin-bottom:6px;cursor:pointer}
.choice:has(input:checked){border-color:var(--accent);background:#eef6f7}
.choice span.role{margin-left:auto;color:var(--muted);font-size:13px}
select{width:100%;padding:8px;border:1px solid var(--line);border-radius:var(--radius);font:inherit;background:#fff}
.actions{display:flex;gap:10px}
button{font:inherit;padding:8px 18px;border-radius:var(--radius);border:1px solid var(--accent);cursor:pointer}
button.primary{background:var(--accent);color:#fff}button.secondary{background:#fff;color:var(--accent)}
details{margin-top:20px;color:var(--muted);font-size:13px}code{font-size:12px}
.error h1{color:var(--error)}dl{display:grid;grid-template-columns:max-content 1fr;gap:4px 12px;margin:16px 0 0}
dt{color:var(--muted)}dd{margin:0;word-break:break-word}
`;

function layout(nonce: string, title: string, content: Html): Html {
  return html`<html lang="en">
    <head>
      <meta charset="utf-8" />
      <meta name="viewport" content="width=device-width, initial-scale=1" />
      <title>${title} · Sandbox EHR</title>
      <style nonce="${nonce}">
        ${STYLE}
      </style>
    </head>
    <body>
      <div class="bar">${PRACTICE.name}<small>Sandbox EHR</small></div>
      <main>${content}</main>
    </body>
  </html>`;
}

/** A staff member as the EHR shows them. */
export function staffName(member: StaffMember): string {
  return [member.prefix, member.given, member.family].filter(Boolean).join(' ');
}

/** A patient as a picker lists them: "Family, Given · birth date · MRN". */
export function patientLabel(patient: RosterPatient): string {
  return `${patient.family}, ${patient.given} · born ${patient.birthDate} · MRN ${patient.mrn}`;
}

/** What the sign-in page needs to know. */
export interface SignInPage {
  clientName: string;
  action: string;
  cancelAction: string;
  pickPatient: boolean;
  requestedScopes: readonly string[];
  problem?: string;
}

/** The standalone-launch sign-in: pick a staff member, and a patient when asked for. */
export function signInPage(nonce: string, page: SignInPage): Html {
  const staff = STAFF.map(
    (member, index) =>
      html`<label class="choice"
        ><input type="radio" name="user" value="${member.id}" ${index === 0 ? html`checked` : ''} />
        ${staffName(member)}<span class="role">${member.role === 'clinician' ? 'Clinician' : 'Front desk'}</span></label
      >`,
  );
  const patients = page.pickPatient
    ? html`<fieldset>
        <legend>Patient</legend>
        <select name="patient" aria-label="Patient" required>
          <option value="">Choose a patient…</option>
          ${[...PATIENTS]
            .sort((a, b) => a.family.localeCompare(b.family))
            .map((patient) => html`<option value="${patient.id}">${patientLabel(patient)}</option>`)}
        </select>
      </fieldset>`
    : '';
  return layout(
    nonce,
    'Sign in',
    html`<div class="card">
      <h1>Sign in to continue to ${page.clientName}</h1>
      <p class="lead">Sandbox sign-in: choose who you are. There is no password.</p>
      ${page.problem ? html`<p class="error" role="alert">${page.problem}</p>` : ''}
      <form method="post" action="${page.action}">
        <fieldset>
          <legend>Staff member</legend>
          ${staff}
        </fieldset>
        ${patients}
        <div class="actions">
          <button class="primary" type="submit">Continue</button>
          <button class="secondary" type="submit" formaction="${page.cancelAction}" formnovalidate>Cancel</button>
        </div>
      </form>
      <details>
        <summary>Access ${page.clientName} asked for</summary>
        <p>${page.requestedScopes.map((scope) => html`<code>${scope}</code> `)}</p>
      </details>
    </div>`,
  );
}

/** An error page: what went wrong and, for OAuth errors, the error code and description. */
export function errorPage(nonce: string, title: string, details: Record<string, string | undefined>): Html {
  const rows = Object.entries(details).filter((entry): entry is [string, string] => entry[1] !== undefined);
  return layout(
    nonce,
    title,
    html`<div class="card error">
      <h1>${title}</h1>
      <p class="lead">The app could not be signed in. Nothing was shared with it.</p>
      <dl>
        ${rows.map(
          ([key, value]) =>
            html`<dt>${key}</dt>
              <dd>${value}</dd>`,
        )}
      </dl>
    </div>`,
  );
}

/**
 * The Content-Security-Policy of these pages: nothing but their own inline style. No form-action: browsers apply it
 * to the redirects after the form, which end at the app's redirect URI on another origin.
 */
export const pagePolicy = (nonce: string): string =>
  `default-src 'none'; style-src 'nonce-${nonce}'; frame-ancestors 'self'; base-uri 'none'`;
