/**
 * The EHR's look, from `smart_style_url` (SMART App Launch 2.x, "Styling":
 * https://hl7.org/fhir/smart-app-launch/scopes-and-launch-context.html#styling), applied as CSS variables.
 * Values are checked before use: a style document is data from another server, never CSS to paste in.
 */
import { useQuery } from '@tanstack/react-query';
import { useEffect } from 'react';

/** SMART style property → the app's CSS variable. */
const PROPERTIES = {
  color_background: '--ct-bg',
  color_text: '--ct-text',
  color_highlight: '--ct-accent',
  color_error: '--ct-error',
  color_success: '--ct-success',
  color_modal_backdrop: '--ct-backdrop',
  dim_border_radius: '--ct-radius',
  dim_font_size: '--ct-font-size',
  dim_spacing_size: '--ct-space',
  font_family_body: '--ct-font',
  font_family_heading: '--ct-font-heading',
} as const;

const COLOR = /^(#[0-9a-f]{3,8}|(rgb|rgba|hsl|hsla)\([\d\s.,%/+-]+\)|[a-z]{3,20})$/i;
const DIMENSION = /^\d{1,3}(\.\d{1,3})?(px|rem|em|%)$/;
const FONT = /^[\w\s,'"-]{1,200}$/;

function valid(name: string, value: string): boolean {
  if (name.startsWith('color_')) return COLOR.test(value);
  if (name.startsWith('dim_')) return DIMENSION.test(value);
  return FONT.test(value);
}

/** The CSS variables a SMART style document sets; unknown or malformed properties are left out. */
export function smartStyleToCss(style: unknown): Record<string, string> {
  const vars: Record<string, string> = {};
  if (typeof style !== 'object' || style === null) return vars;
  for (const [name, variable] of Object.entries(PROPERTIES)) {
    const value = (style as Record<string, unknown>)[name];
    if (typeof value === 'string' && valid(name, value.trim())) vars[variable] = value.trim();
  }
  return vars;
}

/** Fetches the style document (public, no token) and applies it to the page; failures keep the app's own look. */
export function useSmartStyle(url: string | undefined): void {
  const style = useQuery({
    queryKey: ['smart-style', url],
    queryFn: async ({ signal }) => {
      const response = await fetch(url as string, { signal, credentials: 'omit' });
      if (!response.ok) throw new Error(`Style document answered ${response.status}`);
      return smartStyleToCss(await response.json());
    },
    enabled: url !== undefined && /^https?:\/\//.test(url),
    staleTime: Infinity,
    retry: false,
  });
  const vars = style.data;
  useEffect(() => {
    if (!vars) return;
    const root = document.documentElement;
    for (const [name, value] of Object.entries(vars)) root.style.setProperty(name, value);
    root.dataset.ehrStyle = 'applied';
    return () => {
      for (const name of Object.keys(vars)) root.style.removeProperty(name);
      delete root.dataset.ehrStyle;
    };
  }, [vars]);
}
