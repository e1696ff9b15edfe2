/**
 * Server-rendered HTML for the sandbox's pages (sign-in, EHR simulator): a tagged template that escapes every
 * interpolated value unless it is already Html, and a Content-Security-Policy nonce per response.
 */
import { randomBytes } from 'node:crypto';
import type { Response } from 'express';

/** A fragment of trusted, already-escaped HTML. */
export class Html {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for HTML content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ESCAPES[char] ?? char);
}

function render(value: unknown): string {
  if (value instanceof Html) return value.value;
  if (Array.isArray(value)) return value.map(render).join('');
  if (value === undefined || value === null || value === false) return '';
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
    return escapeHtml(String(value));
  }
  throw new TypeError('html`` interpolates strings, numbers, Html and arrays of them');
}

/** Builds Html, escaping interpolated values (arrays are joined; undefined, null and false render nothing). */
export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  let out = strings[0] ?? '';
  values.forEach((value, index) => {
    out += render(value) + (strings[index + 1] ?? '');
  });
  return new Html(out);
}

/** Sends a page with its own Content-Security-Policy; `policy` receives the nonce for inline script and style. */
export function sendPage(res: Response, page: (nonce: string) => Html, policy: (nonce: string) => string): void {
  const nonce = randomBytes(16).toString('base64');
  const body = page(nonce).value;
  res.setHeader('Content-Security-Policy', policy(nonce));
  res.setHeader('Cache-Control', 'no-store');
  res.type('html').send(`<!doctype html>\n${body}`);
}
