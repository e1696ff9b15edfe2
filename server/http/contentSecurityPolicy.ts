/**
 * The Content-Security-Policy of ChartText's origin (CSP Level 3, https://www.w3.org/TR/CSP3/). Scripts and styles
 * come only from the origin itself or are the built pages' own inline blocks (by hash); the app may call only its
 * origin, the EHR's FHIR and authorization servers (connect-src) and the EHR's pages (for `smart_style_url`); only the
 * configured EHR origins may frame it (frame-ancestors). See docs/decisions/081-security-headers.md.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

export interface PolicyOptions {
  /** Origins whose pages may frame the app; empty: none. */
  ehrOrigins: readonly string[];
  /** Origins the app's JavaScript may call besides its own: FHIR servers and their authorization servers. */
  fhirOrigins: readonly string[];
  /** True when the public URL is https: ask the browser to upgrade any http subresource. */
  https: boolean;
  /** CSP hash sources of the built pages' inline blocks. */
  inline?: InlineHashes;
}

export interface InlineHashes {
  script: string[];
  style: string[];
}

/** The policy's directives (pure), in the shape helmet takes. */
export function policyDirectives(options: PolicyOptions): Record<string, string[]> {
  const unique = (values: readonly string[]): string[] => [...new Set(values)];
  return {
    'default-src': ["'self'"],
    'script-src': ["'self'", ...(options.inline?.script ?? [])],
    'style-src': ["'self'", ...(options.inline?.style ?? [])],
    // MMS pictures are shown from blob: URLs of Binary resources fetched with the user's token.
    'img-src': ["'self'", 'data:', 'blob:'],
    'font-src': ["'self'"],
    'connect-src': unique(["'self'", ...options.fhirOrigins, ...options.ehrOrigins]),
    'frame-ancestors': options.ehrOrigins.length > 0 ? unique(options.ehrOrigins) : ["'none'"],
    'frame-src': ["'none'"],
    'object-src': ["'none'"],
    'base-uri': ["'self'"],
    'form-action': ["'self'"],
    ...(options.https ? { 'upgrade-insecure-requests': [] } : {}),
  };
}

/** The header value for `directives` (pure). */
export function serializePolicy(directives: Record<string, string[]>): string {
  return Object.entries(directives)
    .map(([name, values]) => [name, ...values].join(' '))
    .join('; ');
}

const sha256 = (text: string): string => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

/** Hash sources of the inline `<script>` and `<style>` blocks in `html` (pure). */
export function inlineHashesOf(html: string): InlineHashes {
  const blocks = (tag: 'script' | 'style'): string[] =>
    [...html.matchAll(new RegExp(`<${tag}(\\s[^>]*)?>([\\s\\S]*?)</${tag}>`, 'gi'))]
      .filter((match) => !/\ssrc\s*=/i.test(match[1] ?? '') && (match[2] ?? '').length > 0)
      .map((match) => sha256(match[2] ?? ''));
  return { script: blocks('script'), style: blocks('style') };
}

/** The hashes of every inline block in the built pages under `distDir` (none when there is no build). */
export function inlineHashesOfBuild(distDir: string): InlineHashes {
  const result: InlineHashes = { script: [], style: [] };
  if (!existsSync(distDir)) return result;
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory() && entry.name !== 'assets') walk(file);
      else if (entry.isFile() && entry.name.endsWith('.html')) {
        const found = inlineHashesOf(readFileSync(file, 'utf8'));
        result.script.push(...found.script.filter((hash) => !result.script.includes(hash)));
        result.style.push(...found.style.filter((hash) => !result.style.includes(hash)));
      }
    }
  };
  walk(distDir);
  return result;
}
