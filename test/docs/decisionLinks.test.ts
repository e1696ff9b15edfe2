/**
 * Every ADR the code or the docs point to exists: a reference `docs/decisions/<number>-<slug>.md` (or
 * `decisions/<number>-<slug>.md`) names a file in docs/decisions/, with the slug that file really has.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Where source and docs live (README.md is read on its own). */
const SCANNED = ['client', 'server', 'launch', 'sandbox', 'fhir-profiles', 'test', 'bench', 'scripts', 'docs'];
const SKIPPED = new Set(['node_modules', 'dist', '.data', 'test-results']);
const TEXT = /\.(ts|tsx|js|mjs|cjs|md|json|html|css|fsh|ya?ml|txt|sh)$/;

/** A reference to an ADR; the optional `docs/` is left out of the match on purpose (both forms name one file). */
const REFERENCE = /(?<![\w-])decisions\/(\d{3})-([a-z0-9]+(?:-[a-z0-9]+)*)\.md/g;

/** One reference that names no file. */
interface BrokenLink {
  where: string;
  reference: string;
  fix: string;
}

/** The broken ADR references in `text` (pure): `adrs` are the file names in docs/decisions/. */
function brokenLinks(where: string, text: string, adrs: readonly string[]): BrokenLink[] {
  const broken: BrokenLink[] = [];
  const lines = text.split('\n');
  lines.forEach((line, index) => {
    for (const match of line.matchAll(REFERENCE)) {
      const [reference, number] = match;
      const file = reference.slice('decisions/'.length);
      if (adrs.includes(file)) continue;
      const sameNumber = adrs.filter((name) => name.startsWith(`${number ?? ''}-`));
      broken.push({
        where: `${where}:${index + 1}`,
        reference,
        fix:
          sameNumber.length > 0
            ? `ADR ${number ?? ''} is ${sameNumber.map((name) => `decisions/${name}`).join(' or ')}`
            : `no ADR ${number ?? ''} in docs/decisions/`,
      });
    }
  });
  return broken;
}

function filesUnder(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    if (SKIPPED.has(entry.name)) return [];
    const path = join(folder, entry.name);
    if (entry.isDirectory()) return filesUnder(path);
    return entry.isFile() && TEXT.test(entry.name) ? [path] : [];
  });
}

const ADRS = ['001-two-pages-one-origin.md', '052-inbound-filing.md', '052-old-draft.md'];
/** Built, not written out, so the scan of this file does not find the broken examples below. */
const D = ['decisions', ''].join('/');

describe('ADR references', () => {
  test.each([
    ['an existing ADR', `see docs/${D}052-inbound-filing.md`, []],
    ['the short form', `see ${D}001-two-pages-one-origin.md.`, []],
    ['a missing number', `docs/${D}099-nothing.md`, ['no ADR 099 in docs/decisions/']],
    ['a known number with another slug', `docs/${D}001-two-pages.md`, [`ADR 001 is ${D}001-two-pages-one-origin.md`]],
    [
      'a number held by two files, neither with this slug',
      `(${D}052-filing.md)`,
      [`ADR 052 is ${D}052-inbound-filing.md or ${D}052-old-draft.md`],
    ],
    [
      'two references on one line, one broken',
      `001-x: ${D}001-two-pages-one-origin.md, ${D}002-y.md`,
      ['no ADR 002 in docs/decisions/'],
    ],
    ['a number without a slug (not this form)', `docs/${D}052)`, []],
    ['a longer name that only ends like one', `notdecisions/001-two-pages.md`, []],
  ])('when a line holds %s, then the broken references are listed', (_what, text, fixes) => {
    expect(brokenLinks('file.ts', text, ADRS).map((link) => link.fix)).toEqual(fixes);
  });

  test('when a broken reference is found, then it says where', () => {
    expect(brokenLinks('docs/a.md', `one\ntwo ${D}003-z.md`, ADRS)).toEqual([
      { where: 'docs/a.md:2', reference: `${D}003-z.md`, fix: 'no ADR 003 in docs/decisions/' },
    ]);
  });

  test('when the repository is scanned, then every ADR it references exists under that name', () => {
    const adrs = readdirSync(join(ROOT, 'docs', 'decisions')).filter((name) => name.endsWith('.md'));
    const files = [...SCANNED.flatMap((folder) => filesUnder(join(ROOT, folder))), join(ROOT, 'README.md')];
    expect(files.length).toBeGreaterThan(100);
    const broken = files.flatMap((file) =>
      brokenLinks(relative(ROOT, file), readFileSync(file, 'utf8'), adrs).map(
        (link) => `${link.where}: ${link.reference} (${link.fix})`,
      ),
    );
    expect(broken).toEqual([]);
  });
});
