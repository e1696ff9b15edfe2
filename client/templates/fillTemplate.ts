/**
 * Filling a message template from the chart (pure): the patient's name and preferred language, the practice's name
 * and phone, the signed-in user, and the practice-wide values of the template file. A variable with no value stays
 * as `{name}` in the text; the composer highlights it and will not send until staff replace it.
 */
import type { ContactPoint, Organization, Patient } from '@medplum/fhirtypes';
import { EXTENSIONS, EXTERNAL_SYSTEMS } from '../../fhir-profiles/vocabulary';
import { PLACEHOLDER, type MessageTemplate, type TemplateLanguage } from './templateFormat';

export type TemplateValues = Partial<Record<string, string>>;

/** `text` with every variable that has a value replaced; the others left as `{name}`. */
export function fillTemplate(text: string, values: TemplateValues): string {
  return text.replace(PLACEHOLDER, (whole, name: string) => {
    const value = values[name]?.trim();
    return value ? value : whole;
  });
}

function usableName(patient: Patient): { given?: string; family?: string } {
  const name =
    patient.name?.find((n) => n.use === 'usual') ??
    patient.name?.find((n) => n.use === 'official') ??
    patient.name?.[0];
  return { ...(name?.given?.[0] ? { given: name.given[0] } : {}), ...(name?.family ? { family: name.family } : {}) };
}

/** The patient's preferred language (Patient.communication, preferred first) as a primary tag, e.g. `es`. */
export function preferredLanguage(patient: Patient | undefined): TemplateLanguage | undefined {
  const communications = patient?.communication ?? [];
  const chosen = communications.find((c) => c.preferred) ?? communications[0];
  const coding =
    chosen?.language.coding?.find((c) => c.system === EXTERNAL_SYSTEMS.bcp47) ?? chosen?.language.coding?.[0];
  const code = coding?.code ?? chosen?.language.text;
  return code ? code.toLowerCase().split('-')[0] : undefined;
}

/** The language to write in: the patient's preferred one when the template has it, else English. */
export function templateLanguage(template: MessageTemplate, preferred: TemplateLanguage | undefined): TemplateLanguage {
  return preferred && template.text[preferred] ? preferred : 'en';
}

/** The practice's voice number: a phone contact point that is not the SMS number. */
function practicePhone(organization: Organization | undefined): string | undefined {
  const isSms = (point: ContactPoint): boolean =>
    point.system === 'sms' ||
    (point.extension ?? []).some((e) => e.url === EXTENSIONS.practiceSmsNumber && e.valueBoolean === true);
  return organization?.telecom?.find((point) => point.system === 'phone' && !isSms(point))?.value;
}

/** The values the chart and the template file give. */
export function templateValues(input: {
  patient?: Patient;
  organization?: Organization;
  staffName?: string;
  /** The template file's practice-wide values. */
  variables?: Record<string, string>;
}): TemplateValues {
  const name = input.patient ? usableName(input.patient) : {};
  const phone = practicePhone(input.organization);
  return {
    ...input.variables,
    ...(name.given ? { patientFirstName: name.given } : {}),
    ...(name.family ? { patientLastName: name.family } : {}),
    ...(input.organization?.name ? { practiceName: input.organization.name } : {}),
    ...(phone ? { practicePhone: phone } : {}),
    ...(input.staffName ? { staffName: input.staffName } : {}),
  };
}
