import { describe, expect, test } from 'vitest';
import { parseOrigins } from './parseOrigins';

describe('parseOrigins', () => {
  test.each<[string, string[]]>([
    ['', []],
    ['https://ehr.example.org', ['https://ehr.example.org']],
    ['https://ehr.example.org/', ['https://ehr.example.org']],
    ['https://a.example.org, https://b.example.org:8443', ['https://a.example.org', 'https://b.example.org:8443']],
    ['https://a.example.org https://a.example.org', ['https://a.example.org']],
    ['http://127.0.0.1:3001', ['http://127.0.0.1:3001']],
    ['http://localhost:3001', ['http://localhost:3001']],
  ])('when the list is %j, then the origins are %j', (text, origins) => {
    expect(parseOrigins(text)).toEqual({ ok: true, origins });
  });

  test.each<[string, RegExp]>([
    ['ehr.example.org', /is not an origin; write it as https:\/\/host/],
    ['http://ehr.example.org', /must be https/],
    ['https://ehr.example.org/epic', /origin only .* e\.g\. https:\/\/ehr\.example\.org/],
    ['https://ehr.example.org?x=1', /origin only/],
    ['https://*.example.org', /origin only|not an origin/],
    ['*', /not an origin/],
    ["'self'", /not an origin/],
  ])('when an entry is %j, then the problem says how to write it', (text, problem) => {
    const parsed = parseOrigins(text);
    expect(parsed.ok).toBe(false);
    expect(parsed.ok ? '' : parsed.problem).toMatch(problem);
  });
});
