/**
 * docs/configuration.md and .env.example list exactly the variables the code reads: the relay's schema
 * (RELAY_VARIABLES), the front end's VITE_* variables (client/config.ts) and the sandbox's (sandbox/config.ts).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { RELAY_VARIABLES } from '../../server/config';

const doc = readFileSync('docs/configuration.md', 'utf8');

/** The variables in the first column of the tables under the heading `## <title>`. */
function documented(title: string): string[] {
  const start = doc.indexOf(`\n## ${title}\n`);
  expect(start, `docs/configuration.md has no "## ${title}" section`).toBeGreaterThanOrEqual(0);
  const end = doc.indexOf('\n## ', start + 1);
  const section = doc.slice(start, end === -1 ? undefined : end);
  return [...section.matchAll(/^\| `([A-Z][A-Z0-9_]+)`/gm)].map((match) => match[1] ?? '').sort();
}

/** The VITE_* variables the front end reads (import.meta.env.VITE_… in client/config.ts, the one place it reads them). */
function viteVariables(): string[] {
  const source = readFileSync('client/config.ts', 'utf8');
  return [...new Set([...source.matchAll(/\benv\.(VITE_[A-Z0-9_]+)/g)].map((match) => match[1] ?? ''))].sort();
}

/** The variables of the sandbox's zod schema (sandbox/config.ts). */
function sandboxVariables(): string[] {
  const source = readFileSync('sandbox/config.ts', 'utf8');
  const schema = source.slice(source.indexOf('z\n  .object({'), source.indexOf('.superRefine'));
  return [...schema.matchAll(/^\s+([A-Z][A-Z0-9_]+):/gm)].map((match) => match[1] ?? '').sort();
}

describe('docs/configuration.md', () => {
  test('when the relay reads a variable, then the reference documents it, and nothing it does not read', () => {
    expect(documented('Relay and server')).toEqual([...RELAY_VARIABLES].sort());
  });

  test('when the front end reads a VITE_ variable at build time, then the reference documents it, and no other', () => {
    expect(viteVariables().length).toBeGreaterThan(0);
    expect(documented('Front end (build time)')).toEqual(viteVariables());
  });

  test('when the sandbox reads a variable, then the reference documents it, and no other', () => {
    expect(sandboxVariables()).toContain('SANDBOX_PORT');
    expect(documented('Sandbox (npm start)')).toEqual(sandboxVariables());
  });
});

describe('.env.example', () => {
  test('when the relay reads a variable, then .env.example has it (set or commented out), and no other', () => {
    const text = readFileSync('.env.example', 'utf8');
    const listed = [...text.matchAll(/^#?\s?([A-Z][A-Z0-9_]+)=/gm)].map((match) => match[1] ?? '');
    expect([...new Set(listed)].sort()).toEqual([...RELAY_VARIABLES].sort());
  });

  test('when a secret is listed, then it has no value in the example', () => {
    const text = readFileSync('.env.example', 'utf8');
    for (const secret of ['TWILIO_AUTH_TOKEN', 'TWILIO_API_KEY_SECRET', 'RELAY_PRIVATE_KEY']) {
      expect(text).toMatch(new RegExp(`^#?\\s?${secret}=$`, 'm'));
    }
  });
});
