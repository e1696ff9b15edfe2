/** The frame every sandbox EHR page shares: head, theme variables, the stylesheet and the top bar. */
import { PRACTICE } from '../seed/roster';
import { html, type Html } from '../auth/html';
import { themeVariables, type ThemeId } from './smartStyles';

/** What goes into one page. */
export interface EhrPageParts {
  nonce: string;
  title: string;
  theme: ThemeId;
  /** Right side of the top bar (signed-in user, links). */
  topbarEnd?: Html;
  body: Html;
  /** Inline script (runs under the page's nonce). */
  script?: Html;
  scripts?: readonly string[];
}

/** A full sandbox EHR page. */
export function ehrPage(parts: EhrPageParts): Html {
  return html`<html lang="en">
    <head>
      <meta charset="utf-8" />
      <meta name="viewport" content="width=device-width, initial-scale=1" />
      <title>${parts.title} · Sandbox EHR</title>
      <link rel="stylesheet" href="/ehr/ehr.css" />
      <style nonce="${parts.nonce}">
        :root { ${themeVariables(parts.theme)} }
      </style>
      ${(parts.scripts ?? []).map((src) => html`<script src="${src}"></script>`)}
    </head>
    <body>
      <header class="topbar">
        <span class="brand">${PRACTICE.name}<small>Sandbox EHR</small></span>
        <span class="spacer"></span>
        ${parts.topbarEnd ?? ''}
      </header>
      ${parts.body}
      ${
        parts.script
          ? html`<script nonce="${parts.nonce}">
              ${parts.script};
            </script>`
          : ''
      }
    </body>
  </html>`;
}

/** Content-Security-Policy for EHR pages: own stylesheet and scripts, inline only with the nonce. */
export function ehrPolicy(
  nonce: string,
  extra: { frameSrc?: readonly string[]; connectSrc?: readonly string[] } = {},
): string {
  return [
    "default-src 'none'",
    `style-src 'self' 'nonce-${nonce}'`,
    `script-src 'self' 'nonce-${nonce}'`,
    "img-src 'self' data:",
    `connect-src 'self' ${(extra.connectSrc ?? []).join(' ')}`.trim(),
    `frame-src 'self' ${(extra.frameSrc ?? []).join(' ')}`.trim(),
    "frame-ancestors 'self'",
    "form-action 'self'",
    "base-uri 'none'",
  ].join('; ');
}
