/**
 * The EHR's look as SMART style documents: the simulator's own pages use these values, and each launch hands the
 * chosen one to the app as `smart_style_url` so the app can blend in.
 * https://hl7.org/fhir/smart-app-launch/app-launch.html#styling
 */

/** A SMART style document (every property SMART App Launch 2 defines). */
export interface SmartStyle {
  color_background: string;
  color_error: string;
  color_highlight: string;
  color_modal_backdrop: string;
  color_success: string;
  color_text: string;
  dim_border_radius: string;
  dim_font_size: string;
  dim_spacing_size: string;
  font_family_body: string;
  font_family_heading: string;
}

/** Colours the EHR's own chrome needs beyond SMART's (surfaces, rules, secondary text, top bar, navigation). */
export interface EhrChrome {
  surface: string;
  line: string;
  muted: string;
  bar: string;
  nav: string;
}

const SYSTEM_FONTS = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif';

/** The simulator's themes: the default light one and an alternate to prove apps follow the style. */
export const THEMES = {
  riverside: {
    label: 'Riverside (light)',
    path: '/ehr/smart-style.json',
    chrome: { surface: '#ffffff', line: '#d5dde3', muted: '#5b6b78', bar: '#0b5d66', nav: '#e8edf1' },
    style: {
      color_background: '#f4f6f8',
      color_error: '#b42318',
      color_highlight: '#0b6e79',
      color_modal_backdrop: 'rgba(16, 24, 32, 0.45)',
      color_success: '#1e7b4d',
      color_text: '#1d2a35',
      dim_border_radius: '6px',
      dim_font_size: '15px',
      dim_spacing_size: '16px',
      font_family_body: SYSTEM_FONTS,
      font_family_heading: SYSTEM_FONTS,
    },
  },
  night: {
    label: 'Night shift (dark)',
    path: '/ehr/smart-style-night.json',
    chrome: { surface: '#1a242d', line: '#2e3c48', muted: '#9aabb8', bar: '#0c3a41', nav: '#161f27' },
    style: {
      color_background: '#121a21',
      color_error: '#ff8a80',
      color_highlight: '#5cc2cc',
      color_modal_backdrop: 'rgba(0, 0, 0, 0.6)',
      color_success: '#6fcf97',
      color_text: '#e2e8ed',
      dim_border_radius: '3px',
      dim_font_size: '16px',
      dim_spacing_size: '18px',
      font_family_body: SYSTEM_FONTS,
      font_family_heading: 'Georgia, "Times New Roman", serif',
    },
  },
} as const satisfies Record<string, { label: string; path: string; chrome: EhrChrome; style: SmartStyle }>;

export type ThemeId = keyof typeof THEMES;

/** The theme id for a form value, defaulting to the light theme. */
export function themeId(value: unknown): ThemeId {
  return typeof value === 'string' && value in THEMES ? (value as ThemeId) : 'riverside';
}

/** CSS custom properties (`--color-background: …`, `--surface: …`) for a theme, for the EHR's own pages. */
export function themeVariables(id: ThemeId): string {
  const theme = THEMES[id];
  return [...Object.entries(theme.style), ...Object.entries(theme.chrome)]
    .map(([name, value]) => `--${name.replaceAll('_', '-')}: ${value};`)
    .join(' ');
}
