import { describe, expect, test } from 'vitest';
import { buildScope, grants, SCOPES, scopeNeeded, scopesFor, toV1 } from './scopes';

describe('scopes', () => {
  test('when the chart is launched from the EHR, then it asks for launch, identity, refresh while online and patient-level data', () => {
    expect(buildScope('chart', 'v2', true)).toBe(
      'launch openid fhirUser online_access patient/Patient.r patient/Communication.crus patient/Consent.rs ' +
        'patient/Task.rus patient/RelatedPerson.r patient/Binary.r user/Practitioner.r user/Organization.r',
    );
  });

  test('when the chart is opened standalone, then it asks the auth server for a patient picker instead of launch', () => {
    const scope = buildScope('chart', 'v2', false).split(' ');
    expect(scope).toContain('launch/patient');
    expect(scope).not.toContain('launch');
  });

  test('when the inbox is opened standalone, then it asks for user-level scopes and no patient context', () => {
    const scope = buildScope('inbox', 'v2', false).split(' ');
    expect(scope).toContain('user/Communication.crus');
    expect(scope.some((s) => s.startsWith('patient/') || s.startsWith('launch'))).toBe(false);
  });

  test('when the EHR launches the inbox, then it asks for launch (banner flag and style) but no patient scope', () => {
    expect(buildScope('inbox', 'v2', true)).toBe(
      'launch openid fhirUser online_access user/Practitioner.r user/Organization.r user/Patient.rus ' +
        'user/Communication.crus user/Consent.rs user/Task.crus user/RelatedPerson.rs user/PractitionerRole.rs ' +
        'user/Binary.r',
    );
  });

  test('when the EHR only grants v1 spellings, then every resource scope is written as read/write', () => {
    expect(buildScope('chart', 'v1', true)).toBe(
      'launch openid fhirUser online_access patient/Patient.read patient/Communication.read patient/Communication.write ' +
        'patient/Consent.read patient/Task.read patient/Task.write patient/RelatedPerson.read patient/Binary.read ' +
        'user/Practitioner.read user/Organization.read',
    );
  });

  test.each([
    ['patient/Communication.crus', 'patient/Communication.read patient/Communication.write'],
    ['patient/Consent.rs', 'patient/Consent.read'],
    ['user/Task.c', 'user/Task.write'],
    ['openid', 'openid'],
    ['launch/patient', 'launch/patient'],
  ])('toV1(%s) is %s', (v2, v1) => {
    expect(toV1(v2)).toBe(v1);
  });

  test.each([
    [['patient/Communication.crus'], 'Communication', 'c', true],
    [['patient/Communication.rs'], 'Communication', 'c', false],
    [['patient/Communication.read'], 'Communication', 's', true],
    [['patient/Communication.read'], 'Communication', 'c', false],
    [['patient/Communication.write'], 'Communication', 'c', true],
    [['user/*.cruds'], 'Communication', 'u', true],
    [['patient/*.read'], 'Consent', 'r', true],
    [['system/Communication.cruds'], 'Communication', 'c', false],
    [['patient/Consent.rs'], 'Communication', 'r', false],
    [[], 'Communication', 'r', false],
  ] as const)('when granted %j, then %s.%s is %s', (granted, type, interaction, expected) => {
    expect(grants(granted, type, interaction)).toBe(expected);
  });

  test.each([
    ['chart', 'v2', 'Communication', 'c', 'patient/Communication.c'],
    ['chart', 'v1', 'Communication', 'c', 'patient/Communication.write'],
    ['chart', 'v2', 'Practitioner', 'r', 'user/Practitioner.r'],
    ['inbox', 'v2', 'Task', 'u', 'user/Task.u'],
  ] as const)('in the %s with %s syntax, %s.%s needs %s', (context, form, type, interaction, scope) => {
    expect(scopeNeeded(context, form, type, interaction)).toBe(scope);
  });

  test('every scope is explained and belongs to at least one context', () => {
    for (const entry of SCOPES) {
      expect(entry.why.length).toBeGreaterThan(20);
      expect(entry.contexts.length).toBeGreaterThan(0);
    }
    expect(new Set(SCOPES.map((e) => e.scope)).size).toBe(SCOPES.length);
    expect(scopesFor('chart')).not.toContain('user/Communication.crus');
  });
});
