/**
 * The tables of docs/registration.md that must never drift from the code: the app's scopes (launch/scopes.ts), the
 * relay's scopes (server/config.ts) and what the EHR must support (fhir-profiles/requirements.ts). The document keeps
 * them between `<!-- generated:NAME -->` and `<!-- /generated:NAME -->`; a test compares them with these renderings
 * and `npx tsx server/doctor/writeRegistrationTables.ts` rewrites them. Pure.
 */
import { EHR_REQUIREMENTS, SMART_REQUIREMENTS, type Expectation } from '../../fhir-profiles/requirements';
import { SCOPES, toV1 } from '../../launch/scopes';
import { RELAY_SCOPES, SUBSCRIPTION_SCOPE } from '../config';

const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const code = (text: string): string => (text ? `\`${text}\`` : '—');
const row = (cells: readonly string[]): string => `| ${cells.join(' | ')} |`;

/** The app's scopes: v2, v1, where they are asked for, and why. */
export function appScopeTable(): string {
  const lines = [
    row(['Scope (SMART v2)', 'SMART v1 spelling', 'Chart', 'Inbox', 'Why ChartText needs it']),
    row(['---', '---', '---', '---', '---']),
    ...SCOPES.map((entry) => {
      const contexts = entry.contexts as readonly string[];
      const v1 = toV1(entry.scope);
      return row([
        code(entry.scope),
        v1 === entry.scope ? 'same' : v1.split(' ').map(code).join(' '),
        contexts.includes('chart') ? 'yes' : '',
        contexts.includes('inbox') ? 'yes' : '',
        cell(entry.why),
      ]);
    }),
    row([
      code('launch/patient'),
      'same',
      'standalone only',
      '',
      'Asked instead of `launch` when the chart is opened outside the EHR: the authorization server shows a patient picker.',
    ]),
  ];
  return lines.join('\n');
}

/** The relay's backend-services scopes: v2, v1 and why. */
export function relayScopeTable(): string {
  const lines = [
    row(['Scope (SMART v2)', 'SMART v1 spelling', 'Why the relay needs it']),
    row(['---', '---', '---']),
    ...Object.entries(RELAY_SCOPES).map(([scope, why]) =>
      row([code(scope), toV1(scope).split(' ').map(code).join(' '), cell(why)]),
    ),
    row([
      code(SUBSCRIPTION_SCOPE),
      toV1(SUBSCRIPTION_SCOPE).split(' ').map(code).join(' '),
      'Only with `FHIR_SUBSCRIPTION=auto`: create the relay’s rest-hook Subscription for pending messages.',
    ]),
  ];
  return lines.join('\n');
}

const WORDS: Record<string, string> = { read: 'read', create: 'create', update: 'update', 'search-type': 'search' };

/** What the EHR's FHIR API must support, per resource type, by expectation. */
export function ehrRequirementTable(): string {
  const of = (expectation: Expectation, items: readonly { expectation: Expectation; label: string }[]): string =>
    items
      .filter((item) => item.expectation === expectation)
      .map((item) => item.label)
      .join(', ') || '—';
  const lines = [
    row(['Resource', 'Needed (SHALL)', 'Recommended (SHOULD)', 'Optional (MAY)', 'Also needed']),
    row(['---', '---', '---', '---', '---']),
    ...EHR_REQUIREMENTS.map((req) => {
      const items = [
        ...req.interactions.map((i) => ({ expectation: i.expectation, label: WORDS[i.code] ?? i.code })),
        ...(req.search ?? []).map((s) => ({ expectation: s.expectation, label: `search \`${s.name}\`` })),
      ];
      const also = [
        req.conditionalCreate && `conditional create (If-None-Exist), ${req.conditionalCreate.expectation}`,
        req.versionedUpdate && `versioned update (If-Match), ${req.versionedUpdate.expectation}`,
      ]
        .filter(Boolean)
        .join('; ');
      return row([req.type, of('SHALL', items), of('SHOULD', items), of('MAY', items), also || '—']);
    }),
  ];
  return lines.join('\n');
}

/** The SMART capabilities ChartText needs, by expectation. */
export function smartCapabilityTable(): string {
  const lines = [
    row(['SMART capability', 'Expectation', 'Used by', 'Why']),
    row(['---', '---', '---', '---']),
    ...SMART_REQUIREMENTS.capabilities.map((c) =>
      row([code(c.code), c.expectation, c.actors.join(' and '), cell(c.why)]),
    ),
  ];
  return lines.join('\n');
}

/** Every generated table by its marker name. */
export const REGISTRATION_TABLES: Record<string, () => string> = {
  'app-scopes': appScopeTable,
  'relay-scopes': relayScopeTable,
  'ehr-requirements': ehrRequirementTable,
  'smart-capabilities': smartCapabilityTable,
};

const section = (name: string): RegExp =>
  new RegExp(`<!-- generated:${name} -->\\n([\\s\\S]*?)\\n?<!-- /generated:${name} -->`);

/** The content between the markers of `name` in `doc`, or undefined when the markers are missing (pure). */
export function generatedSection(doc: string, name: string): string | undefined {
  return section(name).exec(doc)?.[1];
}

/** `doc` with every generated section replaced by its current rendering (pure). */
export function withGeneratedTables(doc: string): string {
  let result = doc;
  for (const [name, render] of Object.entries(REGISTRATION_TABLES)) {
    result = result.replace(
      section(name),
      () => `<!-- generated:${name} -->\n\n${render()}\n\n<!-- /generated:${name} -->`,
    );
  }
  return result;
}
