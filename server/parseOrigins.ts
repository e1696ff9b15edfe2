/**
 * Origin lists in configuration (EHR_ORIGINS, FHIR_ORIGINS): comma- or space-separated web origins, each https (plain
 * http only on a loopback address), with no path, query or wildcard, because they go into the Content-Security-Policy
 * as they are (https://www.w3.org/TR/CSP3/#grammardef-serialized-source-list).
 */

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** Whether `url` is on a loopback address. */
export function isLoopbackUrl(url: URL): boolean {
  return LOOPBACK.has(url.hostname);
}

/** The origins in `text`, or the problem with the first entry that is not one (pure). */
export function parseOrigins(text: string): { ok: true; origins: string[] } | { ok: false; problem: string } {
  const origins: string[] = [];
  for (const entry of text.split(/[\s,]+/).filter(Boolean)) {
    let url: URL;
    try {
      url = new URL(entry);
    } catch {
      return { ok: false, problem: `“${entry}” is not an origin; write it as https://host[:port]` };
    }
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopbackUrl(url))) {
      return { ok: false, problem: `“${entry}” must be https (plain http only on a loopback address)` };
    }
    if (entry.includes('*') || url.username || url.password || url.search || url.hash || url.pathname !== '/') {
      return { ok: false, problem: `“${entry}” must be an origin only (scheme, host, port), e.g. ${url.origin}` };
    }
    if (!origins.includes(url.origin)) origins.push(url.origin);
  }
  return { ok: true, origins };
}
