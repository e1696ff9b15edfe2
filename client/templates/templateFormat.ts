/**
 * The message-template format, shared by the relay (which serves and validates the practice's template file) and
 * the client (which fills the variables from the chart). Pure, no browser or Node APIs.
 * docs/decisions/073-message-templates.md
 */

/** A language the templates may be written in (BCP-47 primary tag, e.g. `en`, `es`). */
export type TemplateLanguage = string;

/** One quick text, in one or more languages (English required). */
export interface MessageTemplate {
  /** Stable id, e.g. `video-visit-link`. */
  id: string;
  /** What staff see in the picker, per language. */
  title: Record<TemplateLanguage, string>;
  /** The text, per language, with `{variable}` placeholders. */
  text: Record<TemplateLanguage, string>;
}

/** The practice's template file as served at `GET /api/templates`. */
export interface TemplateSet {
  /** Practice-wide values (links the EHR does not hold), e.g. `{ "paymentLink": "https://pay.example.org" }`. */
  variables: Record<string, string>;
  templates: MessageTemplate[];
}

/** The variables ChartText fills, and where each value comes from (shown to admins in docs and errors). */
export const TEMPLATE_VARIABLES = {
  patientFirstName: 'the patient’s first name (Patient.name)',
  patientLastName: 'the patient’s last name (Patient.name)',
  practiceName: 'the practice’s name (Organization.name)',
  practicePhone: 'the practice’s phone number (Organization.telecom, phone)',
  staffName: 'the signed-in staff member’s name (fhirUser)',
  appointmentTime: 'the time of the patient’s next appointment (typed by staff unless configured)',
  visitLink: 'the video visit link (the template file’s variables)',
  paymentLink: 'the payment link (the template file’s variables)',
  delay: 'how late the practice is running (typed by staff)',
} as const;

export type TemplateVariable = keyof typeof TEMPLATE_VARIABLES;

/** A `{name}` placeholder: letters and digits, starting with a letter. */
export const PLACEHOLDER = /\{([A-Za-z][A-Za-z0-9]*)\}/g;

/** The placeholder names in a text, in order, each once. */
export function placeholdersIn(text: string): string[] {
  return [...new Set([...text.matchAll(PLACEHOLDER)].map((m) => m[1] ?? ''))];
}
