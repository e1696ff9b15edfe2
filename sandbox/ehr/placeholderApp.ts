/**
 * A stand-in SMART app served by the sandbox: it runs a real launch with the fhirclient library (browser build from
 * node_modules) and prints the launch context it was granted. It proves the EHR launch before ChartText exists, and
 * follows the SMART style it is given, like ChartText should.
 */
import { Html, html } from '../auth/html';
import { themeVariables } from './smartStyles';

// Runs in the browser. Scope depends on the launch: EHR launch, or standalone with or without a patient.
const SCRIPT = `
(function () {
  var status = document.getElementById('status');
  var facts = document.getElementById('context');
  var config = JSON.parse(document.getElementById('config').textContent);
  var params = new URLSearchParams(location.search);
  var scope = params.has('launch')
    ? 'launch openid fhirUser patient/*.rs user/*.rs offline_access'
    : params.get('standalone') === 'inbox'
      ? 'openid fhirUser user/*.rs'
      : 'launch/patient openid fhirUser patient/*.rs user/*.rs offline_access';
  function show(rows) {
    facts.replaceChildren.apply(facts, rows.flatMap(function (row) {
      var dt = document.createElement('dt');
      var dd = document.createElement('dd');
      dt.textContent = row[0];
      dd.textContent = row[1];
      return [dt, dd];
    }));
  }
  function applyStyle(url) {
    if (!url) return;
    fetch(url).then(function (response) { return response.json(); }).then(function (style) {
      Object.keys(style).forEach(function (name) {
        document.documentElement.style.setProperty('--' + name.split('_').join('-'), style[name]);
      });
    }).catch(function () {});
  }
  FHIR.oauth2.init({
    clientId: config.clientId,
    scope: scope,
    redirectUri: location.origin + location.pathname,
    completeInTarget: true
  }).then(function (client) {
    var token = client.state.tokenResponse || {};
    status.textContent = 'Launch worked: the app holds an access token for ' + client.state.serverUrl + '.';
    status.className = 'status ok';
    show([
      ['patient', token.patient || '(none)'],
      ['fhirUser', client.getFhirUser() || '(none)'],
      ['need_patient_banner', String(token.need_patient_banner)],
      ['smart_style_url', token.smart_style_url || '(none)'],
      ['scope', token.scope || ''],
      ['expires_in', String(token.expires_in) + ' s'],
      ['refresh_token', token.refresh_token ? 'issued' : 'none']
    ]);
    applyStyle(token.smart_style_url);
  }).catch(function (error) {
    status.textContent = 'Launch failed: ' + (error && error.message ? error.message : String(error));
    status.className = 'status failed';
  });
})();
`;

/** The placeholder app's page. */
export function placeholderAppPage(nonce: string, clientId: string): Html {
  return html`<html lang="en">
    <head>
      <meta charset="utf-8" />
      <meta name="viewport" content="width=device-width, initial-scale=1" />
      <title>Placeholder SMART app</title>
      <link rel="stylesheet" href="/ehr/ehr.css" />
      <style nonce="${nonce}">
        :root { ${themeVariables('riverside')} }
      </style>
      <script src="/ehr/placeholder-app/fhir-client.js"></script>
    </head>
    <body>
      <main class="placeholder">
        <h1>Placeholder SMART app</h1>
        <p id="status" class="status" role="status">Launching…</p>
        <div class="card">
          <h2>Launch context granted to the app</h2>
          <dl id="context" class="facts"></dl>
        </div>
        <p class="hint">
          Stands in for ChartText until it runs: a real SMART launch with fhirclient, client id
          <code>${clientId}</code>.
        </p>
      </main>
      <script type="application/json" id="config" nonce="${nonce}">
        ${new Html(JSON.stringify({ clientId }).replaceAll('<', '\\u003c'))}
      </script>
      <script nonce="${nonce}">
        ${new Html(SCRIPT)};
      </script>
    </body>
  </html>`;
}
