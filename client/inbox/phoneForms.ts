/**
 * Phone numbers in the front desk's screens: shown in the national form people read, compared in E.164, and searched
 * in the written forms a chart may hold (FHIR token search matches the stored text exactly; DESIGN.md "Data
 * conventions"). North American numbers get every common form, like the relay's server/relay/normalisePhone.ts;
 * others are searched as E.164 and bare digits. No phone library here: this code ships to the browser.
 */

/** E.164 for what a person typed or a chart holds, reading 10 digits as a US number; undefined if not a number. */
export function toE164(value: string | undefined): string | undefined {
  const text = (value ?? '').trim().replace(/^tel:/i, '');
  const digits = text.replace(/\D/g, '');
  if (text.startsWith('+')) return digits.length >= 7 && digits.length <= 15 ? `+${digits}` : undefined;
  if (digits.length === 10) return `+1${digits}`;
  if (digits.length === 11 && digits.startsWith('1')) return `+${digits}`;
  return undefined;
}

/** "(201) 555-0199" for a North American number; other numbers as given. */
export function formatPhone(e164: string): string {
  const match = /^\+1(\d{3})(\d{3})(\d{4})$/.exec(e164);
  return match ? `(${match[1]}) ${match[2]}-${match[3]}` : e164;
}

/** The written forms to search for a number (deduplicated). */
export function writtenForms(e164: string): string[] {
  const forms = new Set<string>([e164, e164.slice(1), `tel:${e164}`]);
  const match = /^\+1(\d{3})(\d{3})(\d{4})$/.exec(e164);
  if (match) {
    const [, a, b, c] = match as unknown as [string, string, string, string];
    for (const form of [
      `${a}${b}${c}`,
      `(${a}) ${b}-${c}`,
      `(${a})${b}-${c}`,
      `${a}-${b}-${c}`,
      `${a}.${b}.${c}`,
      `${a} ${b} ${c}`,
      `+1 ${a} ${b} ${c}`,
      `+1-${a}-${b}-${c}`,
      `+1.${a}.${b}.${c}`,
      `1-${a}-${b}-${c}`,
      `1 ${a} ${b} ${c}`,
      `1.${a}.${b}.${c}`,
      `+1 (${a}) ${b}-${c}`,
      `1 (${a}) ${b}-${c}`,
      `+1 ${a}-${b}-${c}`,
    ]) {
      forms.add(form);
    }
  }
  return [...forms];
}

/** True when a chart's telecom value is this number, however it is written. */
export function sameNumber(written: string | undefined, e164: string): boolean {
  return toE164(written) === e164;
}
