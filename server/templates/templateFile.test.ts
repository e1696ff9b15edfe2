import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { loadTemplateFile, parseTemplateFile, STARTER_TEMPLATES_FILE, TemplateSource } from './templateFile';

const dir = mkdtempSync(path.join(tmpdir(), 'charttext-templates-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const one = (text: Record<string, string>, extra: object = {}): string =>
  JSON.stringify({ templates: [{ id: 'please-call', title: { en: 'Please call' }, text }], ...extra });

describe('the template file', () => {
  test('the starter set is valid: six templates, each in English and Spanish', () => {
    const loaded = loadTemplateFile(STARTER_TEMPLATES_FILE);
    expect(loaded.ok).toBe(true);
    if (!loaded.ok) return;
    expect(loaded.set.templates.map((t) => t.id)).toEqual([
      'video-visit-link',
      'running-late',
      'payment-reminder',
      'post-visit-check-in',
      'please-call',
      'refill-ready',
    ]);
    for (const template of loaded.set.templates) expect(Object.keys(template.text).sort()).toEqual(['en', 'es']);
  });

  test.each([
    ['not JSON', '{', /not valid JSON/],
    [
      'no English',
      one({ es: 'Hola {patientFirstName}' }),
      /templates\.0\.text: a text needs an English \("en"\) version/,
    ],
    ['an empty text', one({ en: '   ' }), /a text must not be empty/],
    [
      'a misspelt variable',
      one({ en: 'Hi {patientFirstname}' }),
      /\{patientFirstname\} is not a variable ChartText knows/,
    ],
    ['a text over 1,600 characters', one({ en: 'x'.repeat(1601) }), /over 1600 characters/],
    [
      'two templates with one id',
      JSON.stringify({
        templates: [
          { id: 'a', title: { en: 'A' }, text: { en: 'A' } },
          { id: 'a', title: { en: 'B' }, text: { en: 'B' } },
        ],
      }),
      /"a" is used twice/,
    ],
  ])('when a file has %s, then it is refused, saying where', (_case, text, problem) => {
    const result = parseTemplateFile(text);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problem).toMatch(problem);
  });

  test('a practice variable may be used in texts', () => {
    const result = parseTemplateFile(
      one({ en: 'Park at {parkingLink}' }, { variables: { parkingLink: 'https://p.example' } }),
    );
    expect(result.ok).toBe(true);
  });

  test('when an administrator edits the file, then the next read serves the edit; a broken edit keeps the last good one', () => {
    const file = path.join(dir, 'templates.json');
    writeFileSync(file, one({ en: 'Please call us, {patientFirstName}.' }));
    const problems: string[] = [];
    const source = new TemplateSource(file, (p) => problems.push(p));
    const first = source.read();
    expect(first.ok && first.set.templates[0]?.text.en).toBe('Please call us, {patientFirstName}.');

    writeFileSync(file, one({ en: 'Please call us today, {patientFirstName}.' }));
    utimesSync(file, new Date(), new Date(Date.now() + 5_000));
    const edited = source.read();
    expect(edited.ok && edited.set.templates[0]?.text.en).toBe('Please call us today, {patientFirstName}.');

    writeFileSync(file, '{ broken');
    utimesSync(file, new Date(), new Date(Date.now() + 10_000));
    const broken = source.read();
    expect(broken.ok && broken.set.templates[0]?.text.en).toBe('Please call us today, {patientFirstName}.');
    expect(problems).toEqual([expect.stringMatching(/not valid JSON/)]);
  });

  test('when the file was never valid, then reading says why', () => {
    const source = new TemplateSource(path.join(dir, 'missing.json'));
    const result = source.read();
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problem).toMatch(/cannot read/);
  });
});
