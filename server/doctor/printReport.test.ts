import { describe, expect, test } from 'vitest';
import { fail, pass, warn } from './checkResult';
import { exitCodeOf, formatReport } from './printReport';

describe('formatReport', () => {
  test('when a check fails, then its row says FAIL with the fix beneath and the summary blocks go-live', () => {
    const rows = [
      pass('PKCE (S256)', 'code_challenge_methods_supported includes S256'),
      warn('FHIR Subscription', 'not offered', 'Optional.'),
      fail('FHIR Communication', 'missing (needed): create', 'Ask your vendor.'),
    ];
    const text = formatReport('https://ehr.example.org/R4', rows);
    expect(text).toContain('ChartText doctor — https://ehr.example.org/R4');
    expect(text).toMatch(/^PASS +PKCE \(S256\) +code_challenge/m);
    expect(text).toMatch(/^FAIL +FHIR Communication +missing \(needed\): create\n +fix: Ask your vendor\.$/m);
    expect(text).toContain('1 passed, 1 warning, 1 failed.');
    expect(text).toContain('cannot go live');
    expect(exitCodeOf(rows)).toBe(1);
  });

  test('when nothing fails, then the exit code is 0 even with warnings', () => {
    const rows = [pass('a', 'b'), warn('c', 'd', 'e')];
    expect(exitCodeOf(rows)).toBe(0);
    expect(formatReport('x', rows)).toContain('Nothing blocks go-live');
  });
});
