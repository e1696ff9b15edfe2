import { describe, expect, test } from 'vitest';
import { decideScopes, parseSmartScope, scopeCovers, type ScopeRequest } from './smartScopes';

describe('parseSmartScope', () => {
  test.each([
    ['patient/Communication.rs', { context: 'patient', resourceType: 'Communication', permissions: 'rs', version: 2 }],
    ['user/*.cruds', { context: 'user', resourceType: '*', permissions: 'cruds', version: 2 }],
    ['system/Patient.r', { context: 'system', resourceType: 'Patient', permissions: 'r', version: 2 }],
    [
      'patient/Communication.read',
      { context: 'patient', resourceType: 'Communication', permissions: 'rs', version: 1 },
    ],
    ['user/Task.write', { context: 'user', resourceType: 'Task', permissions: 'cud', version: 1 }],
    ['patient/*.*', { context: 'patient', resourceType: '*', permissions: 'cruds', version: 1 }],
    [
      'patient/Observation.rs?category=laboratory',
      { context: 'patient', resourceType: 'Observation', permissions: 'rs', version: 2, query: 'category=laboratory' },
    ],
  ])('%s is a resource scope', (scope, expected) => {
    const parsed = parseSmartScope(scope);
    expect(parsed && { ...parsed, permissions: [...parsed.permissions].join('') }).toEqual(expected);
  });

  test.each([
    'openid',
    'launch/patient',
    'patient/Communication.sr', // v2 letters out of order
    'patient/Communication.rr',
    'patient/Communication.',
    'patient/communication.rs', // resource types start upper-case
    'practitioner/Communication.rs',
    'patient/Communication.read?x=1', // v1 has no query
  ])('%s is not a resource scope', (scope) => {
    expect(parseSmartScope(scope)).toBeUndefined();
  });
});

describe('scopeCovers', () => {
  test.each([
    ['patient/*.cruds', 'patient/Communication.rs', true],
    ['patient/*.rs', 'patient/Communication.read', true],
    ['patient/*.rs', 'patient/Communication.write', false],
    ['patient/Communication.cruds', 'patient/Patient.rs', false],
    ['user/*.cruds', 'patient/Communication.rs', false],
    ['system/*.cruds', 'system/Observation.rs?category=laboratory', true],
    ['system/Observation.rs?category=laboratory', 'system/Observation.rs', false],
  ])('rule %s covers %s: %s', (rule, requested, covers) => {
    const parsedRule = parseSmartScope(rule);
    const parsedRequest = parseSmartScope(requested);
    expect(parsedRule && parsedRequest && scopeCovers(parsedRule, parsedRequest)).toBe(covers);
  });
});

describe('decideScopes', () => {
  const app = 'openid fhirUser launch launch/patient offline_access patient/*.cruds user/*.rs';
  const relay = 'system/*.cruds';

  test.each<[string, ScopeRequest, string[], string[]]>([
    [
      'EHR launch with a patient: launch and resource scopes granted',
      {
        requested: 'launch openid fhirUser patient/Communication.rs user/Practitioner.rs',
        registered: app,
        flow: 'ehr-launch',
        hasPatient: true,
      },
      ['launch', 'openid', 'fhirUser', 'patient/Communication.rs', 'user/Practitioner.rs'],
      [],
    ],
    [
      'EHR launch without a patient: patient/ scopes refused',
      {
        requested: 'launch patient/Communication.rs user/Communication.rs',
        registered: app,
        flow: 'ehr-launch',
        hasPatient: false,
      },
      ['launch', 'user/Communication.rs'],
      ['patient/Communication.rs'],
    ],
    [
      'standalone: launch refused, launch/patient granted',
      {
        requested: 'launch launch/patient patient/Patient.read',
        registered: app,
        flow: 'standalone-launch',
        hasPatient: true,
      },
      ['launch/patient', 'patient/Patient.read'],
      ['launch'],
    ],
    [
      'more than registered: refused',
      {
        requested: 'user/Communication.cruds online_access system/Patient.rs',
        registered: app,
        flow: 'ehr-launch',
        hasPatient: true,
      },
      [],
      ['user/Communication.cruds', 'online_access', 'system/Patient.rs'],
    ],
    [
      'backend services: only system/ scopes',
      {
        requested: 'system/Communication.cruds openid patient/Patient.rs',
        registered: relay,
        flow: 'backend-services',
        hasPatient: false,
      },
      ['system/Communication.cruds'],
      ['openid', 'patient/Patient.rs'],
    ],
    [
      'unknown scopes refused, duplicates once',
      { requested: 'openid openid launch/encounter profile', registered: app, flow: 'ehr-launch', hasPatient: true },
      ['openid'],
      ['launch/encounter', 'profile'],
    ],
  ])('%s', (_name, request, granted, refused) => {
    expect(decideScopes(request)).toEqual({ granted, refused });
  });
});
