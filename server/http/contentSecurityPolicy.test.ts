import { createHash } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { inlineHashesOf, policyDirectives, serializePolicy } from './contentSecurityPolicy';

const hash = (text: string): string => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;

describe('policyDirectives', () => {
  test.each<[string, Parameters<typeof policyDirectives>[0], Record<string, string[] | undefined>]>([
    [
      'no EHR origin: nobody frames the app',
      { ehrOrigins: [], fhirOrigins: ['https://fhir.example.org'], https: true },
      {
        'frame-ancestors': ["'none'"],
        'connect-src': ["'self'", 'https://fhir.example.org'],
        'upgrade-insecure-requests': [],
      },
    ],
    [
      'EHR origins: only they frame it, and the app may fetch their style documents',
      {
        ehrOrigins: ['https://ehr.example.org', 'https://ehr2.example.org'],
        fhirOrigins: ['https://fhir.example.org', 'https://ehr.example.org'],
        https: true,
      },
      {
        'frame-ancestors': ['https://ehr.example.org', 'https://ehr2.example.org'],
        'connect-src': ["'self'", 'https://fhir.example.org', 'https://ehr.example.org', 'https://ehr2.example.org'],
      },
    ],
    [
      'plain http (loopback sandbox): no upgrade of insecure requests',
      { ehrOrigins: ['http://127.0.0.1:3001'], fhirOrigins: ['http://127.0.0.1:3001'], https: false },
      { 'upgrade-insecure-requests': undefined, 'frame-ancestors': ['http://127.0.0.1:3001'] },
    ],
    [
      'inline blocks of the build: allowed by hash only',
      { ehrOrigins: [], fhirOrigins: [], https: true, inline: { script: ["'sha256-a'"], style: ["'sha256-b'"] } },
      { 'script-src': ["'self'", "'sha256-a'"], 'style-src': ["'self'", "'sha256-b'"] },
    ],
  ])('%s', (_name, options, expected) => {
    const directives = policyDirectives(options);
    for (const [name, values] of Object.entries(expected)) expect(directives[name]).toEqual(values);
    const header = serializePolicy(directives);
    expect(header).not.toContain('unsafe-inline');
    expect(header).not.toContain('unsafe-eval');
    expect(header).toContain("object-src 'none'");
  });
});

describe('inlineHashesOf', () => {
  test('when a page has inline style and script blocks, then each gets its sha256 source; external scripts none', () => {
    const html = `<html><head><style>p{color:red}</style><script type="module" crossorigin src="/assets/a.js"></script>
      <script>window.x=1</script></head><body><style media="print">p{}</style></body></html>`;
    expect(inlineHashesOf(html)).toEqual({
      script: [hash('window.x=1')],
      style: [hash('p{color:red}'), hash('p{}')],
    });
  });
});
