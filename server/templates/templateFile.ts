/**
 * The practice's message templates: a JSON file an administrator edits (TEMPLATES_FILE), or the starter set shipped
 * with ChartText. Read when it changes, validated with zod; a broken edit never replaces the last good version, and
 * says what to fix. docs/decisions/073-message-templates.md
 */
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { placeholdersIn, TEMPLATE_VARIABLES, type TemplateSet } from '../../client/templates/templateFormat';

/** The starter set: video-visit link, running late, payment reminder, post-visit check-in, please call, refill ready. */
export const STARTER_TEMPLATES_FILE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'starterTemplates.json');

const LANGUAGE = /^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$/;
const MAX_TEXT = 1_600;

const perLanguage = (what: string, max: number): z.ZodType<Record<string, string>> =>
  z
    .record(
      z.string().regex(LANGUAGE, { message: 'language keys are BCP-47 tags such as en or es' }),
      z
        .string()
        .trim()
        .min(1, { message: `${what} must not be empty` })
        .max(max, { message: `${what} is over ${max} characters` }),
    )
    .refine((value) => typeof value.en === 'string', { message: `${what} needs an English ("en") version` });

const templateSchema = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, { message: 'ids are lowercase words joined by dashes' }),
  title: perLanguage('a title', 80),
  text: perLanguage('a text', MAX_TEXT),
});

const fileSchema = z
  .object({
    variables: z.record(z.string().regex(/^[A-Za-z][A-Za-z0-9]*$/), z.string().trim().min(1).max(500)).default({}),
    templates: z.array(templateSchema).min(1, { message: 'add at least one template' }).max(200),
  })
  .superRefine((file, ctx) => {
    const seen = new Set<string>();
    file.templates.forEach((template, index) => {
      if (seen.has(template.id)) {
        ctx.addIssue({ code: 'custom', path: ['templates', index, 'id'], message: `"${template.id}" is used twice` });
      }
      seen.add(template.id);
      for (const [language, text] of Object.entries(template.text)) {
        for (const name of placeholdersIn(text)) {
          if (!(name in TEMPLATE_VARIABLES) && !(name in file.variables)) {
            ctx.addIssue({
              code: 'custom',
              path: ['templates', index, 'text', language],
              message: `{${name}} is not a variable ChartText knows (${Object.keys(TEMPLATE_VARIABLES).join(', ')}) and is not in "variables"`,
            });
          }
        }
      }
    });
  });

export type TemplateFileResult = { ok: true; set: TemplateSet } | { ok: false; problem: string };

/** Parses and validates the text of a template file (pure). */
export function parseTemplateFile(text: string): TemplateFileResult {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return { ok: false, problem: `not valid JSON: ${(err as Error).message}` };
  }
  const result = fileSchema.safeParse(json);
  if (!result.success) {
    return {
      ok: false,
      problem: result.error.issues.map((issue) => `${issue.path.join('.') || '(file)'}: ${issue.message}`).join('; '),
    };
  }
  return { ok: true, set: result.data };
}

/** Reads and validates a template file. */
export function loadTemplateFile(file: string): TemplateFileResult {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return { ok: false, problem: `cannot read ${file}` };
  }
  return parseTemplateFile(text);
}

/** What the route serves: the last good version of the file, re-read when its modification time changes. */
export class TemplateSource {
  private current: TemplateSet | undefined;
  private seenVersion = '';
  private lastProblem: string | undefined;

  constructor(
    readonly file: string,
    private readonly onProblem: (problem: string) => void = () => undefined,
  ) {}

  /** The templates to serve, or the problem when no good version was ever read. */
  read(): TemplateFileResult {
    let version: string;
    try {
      const stat = statSync(this.file);
      version = `${stat.mtimeMs}:${stat.size}`;
    } catch {
      version = 'missing';
    }
    if (version !== this.seenVersion) {
      this.seenVersion = version;
      const loaded = loadTemplateFile(this.file);
      if (loaded.ok) {
        this.current = loaded.set;
        this.lastProblem = undefined;
      } else {
        this.lastProblem = loaded.problem;
        this.onProblem(loaded.problem);
      }
    }
    if (this.current) return { ok: true, set: this.current };
    return { ok: false, problem: this.lastProblem ?? 'no templates' };
  }
}
