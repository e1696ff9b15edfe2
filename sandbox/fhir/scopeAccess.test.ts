import { OperationOutcomeError } from '@medplum/core';
import { describe, expect, test } from 'vitest';
import type { Grant } from '../auth/grant';
import type { Permission } from './scopeAccess';
import { parseScope, ScopeAccess } from './scopeAccess';

describe('parseScope', () => {
  test.each([
    ['patient/Communication.read', 'patient', 'Communication', 'rs'],
    ['patient/Communication.write', 'patient', 'Communication', 'cud'],
    ['user/*.*', 'user', '*', 'cruds'],
    ['patient/Communication.rs', 'patient', 'Communication', 'rs'],
    ['system/Communication.cruds', 'system', 'Communication', 'cruds'],
    ['user/Task.cu', 'user', 'Task', 'cu'],
  ])('%s grants %s/%s with %s', (scope, context, resourceType, letters) => {
    const parsed = parseScope(scope);
    expect(parsed.kind).toBe('resource');
    if (parsed.kind !== 'resource') return;
    expect(parsed.scope.context).toBe(context);
    expect(parsed.scope.resourceType).toBe(resourceType);
    expect([...parsed.scope.permissions].sort().join('')).toBe(letters.split('').sort().join(''));
  });

  test.each([
    ['patient/Communication.rs?category=x', 'query-restricted'],
    ['patient/Communication.sr', 'neither v1'],
    ['patient/Communication.', 'not a valid'],
    ['user/communication.read', 'not a valid'],
  ])('%s is unsupported (%s)', (scope, reason) => {
    const parsed = parseScope(scope);
    expect(parsed.kind).toBe('unsupported');
    if (parsed.kind === 'unsupported') expect(parsed.reason).toContain(reason);
  });

  test.each([['openid'], ['fhirUser'], ['launch'], ['launch/patient'], ['offline_access']])(
    '%s is not a resource scope',
    (scope) => {
      expect(parseScope(scope).kind).toBe('other');
    },
  );
});

describe('ScopeAccess', () => {
  const grant = (scopes: string[], extra: Partial<Grant> = {}): Grant => ({
    clientId: 'c',
    scopes,
    expiresAt: 0,
    fhirUser: 'Practitioner/dr-lee',
    patient: 'p1',
    ...extra,
  });

  test.each<[string[], string, Permission, string]>([
    [['patient/Communication.rs'], 'Communication', 'r', 'patient'],
    [['patient/Communication.rs', 'user/Communication.r'], 'Communication', 'r', 'all'],
    [['user/*.read'], 'Task', 's', 'all'],
    [['system/Communication.c'], 'Communication', 'c', 'all'],
    [['patient/*.cruds'], 'Consent', 'd', 'patient'],
  ])('with %j, %s.%s reaches %s', (scopes, type, permission, reach) => {
    expect(new ScopeAccess(grant(scopes)).require(type, permission).kind).toBe(reach);
  });

  test.each<[string[], Partial<Grant>, string, Permission, string]>([
    [['patient/Communication.rs'], {}, 'Communication', 'c', 'patient/Communication.c or user/Communication.c'],
    [
      ['patient/Communication.read'],
      {},
      'Communication',
      'u',
      '(v1: patient/Communication.write or user/Communication.write)',
    ],
    [['system/Patient.rs'], { fhirUser: undefined, patient: undefined }, 'Task', 'r', 'requires system/Task.r'],
    [['user/Patient.rs'], { patient: undefined }, 'Task', 's', 'requires user/Task.s'],
  ])('with %j (%j), %s.%s is refused naming %s', (scopes, extra, type, permission, needed) => {
    const access = new ScopeAccess(grant(scopes, extra));
    try {
      access.require(type, permission);
      expect.unreachable('should have thrown');
    } catch (err) {
      expect(err).toBeInstanceOf(OperationOutcomeError);
      const outcome = (err as OperationOutcomeError).outcome;
      expect(outcome.id).toBe('forbidden');
      expect(outcome.issue[0]?.details?.text).toContain(needed);
    }
  });
});
