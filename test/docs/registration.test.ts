/**
 * docs/registration.md carries every value hospital IT registers, and its tables of scopes and EHR requirements are
 * the code's own (launch/scopes.ts, server/config.ts, fhir-profiles/requirements.ts), regenerated and compared here.
 */
import { readFileSync } from 'node:fs';
import { format, resolveConfig } from 'prettier';
import { describe, expect, test } from 'vitest';
import { EHR_REQUIREMENTS } from '../../fhir-profiles/requirements';
import { SCOPES, toV1 } from '../../launch/scopes';
import { RELAY_SCOPES, RELAY_VARIABLES } from '../../server/config';
import { generatedSection, REGISTRATION_TABLES, withGeneratedTables } from '../../server/doctor/registrationTables';

const FILE = 'docs/registration.md';
const doc = readFileSync(FILE, 'utf8');

describe('docs/registration.md', () => {
  test.each(Object.keys(REGISTRATION_TABLES))('has the generated %s table', (name) => {
    expect(generatedSection(doc, name)?.trim().length ?? 0).toBeGreaterThan(0);
  });

  test('when a scope, a reason or a requirement changes in the code, then the guide shows the change', async () => {
    const options = (await resolveConfig(FILE)) ?? {};
    const regenerated = await format(withGeneratedTables(doc), { ...options, filepath: FILE });
    expect(doc, 'run: npx tsx server/doctor/writeRegistrationTables.ts').toBe(regenerated);
  });

  test('every scope the app or the relay asks for is listed with its v1 spelling', () => {
    for (const scope of [...SCOPES.map((entry) => entry.scope), ...Object.keys(RELAY_SCOPES)]) {
      expect(doc).toContain(`\`${scope}\``);
      for (const v1 of toV1(scope).split(' ')) expect(doc).toContain(`\`${v1}\``);
    }
    for (const requirement of EHR_REQUIREMENTS) expect(doc).toContain(`| ${requirement.type} `);
  });

  test.each([
    ['launch URL', '/launch/'],
    ['redirect URI', '/client/'],
    ['PKCE method', 'S256'],
    ['relay JWKS URL', '/.well-known/jwks.json'],
    ['relay algorithms', 'RS384'],
    ['relay algorithms', 'ES384'],
    ['inbound webhook', '/twilio/inbound'],
    ['status callback', '/twilio/status'],
    ['Messaging Service', 'TWILIO_MESSAGING_SERVICE_SID'],
    ['opt-out choice', 'Advanced Opt-Out'],
    ['opt-out choice', 'KEYWORD_REPLIES'],
    ['Epic', '### Epic'],
    ['Epic limitation', "ChartText cannot run against Epic's public FHIR API today"],
    ['Oracle Health', '### Oracle Health'],
    ['Medplum', '### Medplum'],
    ['HAPI', '### HAPI FHIR'],
    ['the preflight', 'npm run doctor -- --fhir'],
  ])('names the %s (%s)', (_what, text) => {
    expect(doc.replace(/\s+/g, ' ')).toContain(text);
  });

  test('every variable it names is one ChartText reads', () => {
    const named = new Set(
      [...doc.matchAll(/`((?:VITE_)?[A-Z][A-Z0-9]+(?:_[A-Z0-9]+)+)(?:=[^`]*)?`/g)].map((m) => m[1] ?? ''),
    );
    const known = new Set([...RELAY_VARIABLES, 'VITE_SMART_CLIENT_ID', 'VITE_SMART_SCOPE_FORM', 'VITE_ALLOWED_ISS']);
    expect([...named].filter((name) => !known.has(name))).toEqual([]);
  });
});
