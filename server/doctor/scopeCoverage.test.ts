import { describe, expect, test } from 'vitest';
import { coverage, coverageOf } from './scopeCoverage';

describe('coverage', () => {
  test.each<[string, string[], ReturnType<typeof coverage>]>([
    ['patient/Communication.crus', ['patient/Communication.crus'], 'v2'],
    ['patient/Communication.crus', ['patient/*.cruds'], 'v2'],
    ['patient/Communication.crus', ['patient/Communication.rs', 'patient/Communication.cu'], 'v2'],
    ['patient/Communication.crus', ['patient/Communication.read', 'patient/Communication.write'], 'v1'],
    ['patient/Communication.crus', ['patient/*.read', 'patient/*.write'], 'v1'],
    ['patient/Communication.crus', ['patient/*.*'], 'v1'],
    ['patient/Communication.crus', ['patient/Communication.read'], 'missing'],
    ['patient/Communication.crus', ['patient/Communication.rs'], 'missing'],
    ['patient/Communication.crus', ['user/Communication.cruds'], 'missing'],
    ['patient/Communication.crus', ['patient/Patient.cruds'], 'missing'],
    ['system/Binary.c', ['system/*.write'], 'v1'],
    ['system/Binary.c', ['system/*.cruds'], 'v2'],
    ['fhirUser', ['openid', 'fhirUser'], 'v2'],
    ['fhirUser', ['openid'], 'missing'],
    ['launch', ['launch/patient'], 'missing'],
  ])('when %s is needed and %j is available, then it is %s', (needed, available, expected) => {
    expect(coverage(needed, available)).toBe(expected);
  });

  test('when several scopes are needed, then they are grouped by coverage', () => {
    expect(
      coverageOf(
        ['patient/Patient.r', 'user/Task.rus', 'system/Consent.crs'],
        ['patient/*.rs', 'user/Task.read', 'user/Task.write'],
      ),
    ).toEqual({ v2: ['patient/Patient.r'], v1: ['user/Task.rus'], missing: ['system/Consent.crs'] });
  });
});
