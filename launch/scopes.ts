/**
 * Every SMART scope ChartText asks for, and why, in one table. The launch page builds its `scope` parameter from it,
 * the client checks granted scopes against it, and the registration guide prints it.
 * Syntax: SMART App Launch 2.x, https://hl7.org/fhir/smart-app-launch/scopes-and-launch-context.html
 * (v2 `patient/Communication.crus`; v1 `patient/Communication.read` / `.write`). See docs/decisions/041-scopes-and-launch-context.md.
 */

/** Where the app runs: a patient's chart (EHR launch with patient) or the practice inbox (no patient). */
export type LaunchContext = 'chart' | 'inbox';

/** Scope syntax: SMART v2 (`.cruds`) by default; v1 (`.read`/`.write`) for EHRs that only grant v1 spellings. */
export type ScopeForm = 'v2' | 'v1';

/** A FHIR REST interaction as a SMART v2 permission letter. */
export type Interaction = 'c' | 'r' | 'u' | 'd' | 's';

export interface ScopeEntry {
  /** The scope in SMART v2 syntax; resource scopes are turned into v1 by `toV1`. */
  scope: string;
  /** The contexts that request it. */
  contexts: readonly LaunchContext[];
  /** What ChartText does with it, in words hospital IT can check. */
  why: string;
}

/** The fewest scopes that let ChartText work, per context. */
export const SCOPES = [
  {
    scope: 'launch',
    contexts: ['chart', 'inbox'],
    why: 'EHR launch: receive the open chart’s patient (none for the inbox), whether the EHR already shows a patient banner, and its style sheet.',
  },
  {
    scope: 'openid',
    contexts: ['chart', 'inbox'],
    why: 'Receive an id_token, so the app knows who is signed in.',
  },
  {
    scope: 'fhirUser',
    contexts: ['chart', 'inbox'],
    why: 'The id_token names the user as a FHIR resource (Practitioner/…); outbound messages record it as their sender.',
  },
  {
    scope: 'online_access',
    contexts: ['chart', 'inbox'],
    why: 'A refresh token that lives only while the user is signed in to the EHR, so a long conversation does not end in an expired token. Nothing outlives the session (no offline_access).',
  },
  {
    scope: 'patient/Patient.r',
    contexts: ['chart'],
    why: 'Read the patient: name, birth date and MRN for the banner, and the mobile number shown (masked) in the composer.',
  },
  {
    scope: 'patient/Communication.crus',
    contexts: ['chart'],
    why: 'Read and search the SMS thread; create outbound messages and, once per patient, the thread header; update a failed message for Retry (versioned, never a second message). No delete.',
  },
  {
    scope: 'patient/Consent.rs',
    contexts: ['chart'],
    why: 'See whether the patient has opted out of texts (Consent deny), to disable the composer and say why.',
  },
  {
    scope: 'patient/Task.rus',
    contexts: ['chart'],
    why: 'Find the thread’s needs-response Task, record that staff have read the patient’s messages, and complete it when a reply is sent. Tasks are created by the relay, not the app.',
  },
  {
    scope: 'patient/RelatedPerson.r',
    contexts: ['chart'],
    why: 'Name the family member who texted from a shared number (sender of an inbound message).',
  },
  {
    scope: 'patient/Binary.r',
    contexts: ['chart'],
    why: 'Show pictures and files the patient texted (MMS media stored as Binary), fetched with the user’s token.',
  },
  {
    scope: 'user/Practitioner.r',
    contexts: ['chart', 'inbox'],
    why: 'Show which staff member sent each outbound message.',
  },
  {
    scope: 'user/Organization.r',
    contexts: ['chart', 'inbox'],
    why: 'Read the practice Organization for its SMS number, which (with the patient) identifies the thread, and name the practice as sender of automatic texts.',
  },
  {
    scope: 'user/Patient.rus',
    contexts: ['inbox'],
    why: 'Inbox: show the patients whose threads are listed; search a patient by name, birth date or phone to link a text from an unknown number; after staff confirm, add that number to the patient’s telecom so the next texts file themselves. No other change to the chart.',
  },
  {
    scope: 'user/Communication.crus',
    contexts: ['inbox'],
    why: 'Inbox: list threads and messages across patients, reply, retry failed messages.',
  },
  {
    scope: 'user/Consent.rs',
    contexts: ['inbox'],
    why: 'Inbox: show opt-outs before a reply is written.',
  },
  {
    scope: 'user/Task.crus',
    contexts: ['inbox'],
    why: 'Inbox: the needs-response and triage queues (counts, assignment, answered, no reply needed, wrong number, spam). Create only when a text from an unknown number is linked and its thread has no needs-response Task yet (as the relay would have made).',
  },
  {
    scope: 'user/RelatedPerson.rs',
    contexts: ['inbox'],
    why: 'Inbox: name family members who text from a shared number, and find them by number or by patient to link such a text.',
  },
  {
    scope: 'user/PractitionerRole.rs',
    contexts: ['inbox'],
    why: 'Inbox: list the practice’s staff (their roles at the practice Organization, with the Practitioner included) to assign a thread.',
  },
  {
    scope: 'user/Binary.r',
    contexts: ['inbox'],
    why: 'Inbox: show pictures and files patients texted.',
  },
] as const satisfies readonly ScopeEntry[];

/** One scope of the table, by its v2 spelling. */
export type ChartTextScope = (typeof SCOPES)[number]['scope'];

const RESOURCE_SCOPE = /^(patient|user|system)\/([A-Za-z]+|\*)\.(\*|read|write|c?r?u?d?s?)$/;

interface ParsedScope {
  level: 'patient' | 'user' | 'system';
  resourceType: string;
  /** Permission letters, v1 spellings expanded (`read` = rs, `write` = cud, `*` = cruds). */
  permissions: string;
}

function parseResourceScope(scope: string): ParsedScope | undefined {
  const match = RESOURCE_SCOPE.exec(scope);
  if (!match) return undefined;
  const [, level, resourceType, perms] = match as unknown as [string, ParsedScope['level'], string, string];
  const permissions = perms === 'read' ? 'rs' : perms === 'write' ? 'cud' : perms === '*' ? 'cruds' : perms;
  return permissions ? { level, resourceType, permissions } : undefined;
}

/** The v1 spelling of a scope: `patient/Task.rus` → `patient/Task.read patient/Task.write`; others unchanged. */
export function toV1(scope: string): string {
  const parsed = parseResourceScope(scope);
  if (!parsed) return scope;
  const prefix = `${parsed.level}/${parsed.resourceType}`;
  const read = /[rs]/.test(parsed.permissions);
  const write = /[cud]/.test(parsed.permissions);
  return [read ? `${prefix}.read` : '', write ? `${prefix}.write` : ''].filter(Boolean).join(' ');
}

/** The scopes of a context, in table order. */
export function scopesFor(context: LaunchContext): ChartTextScope[] {
  return SCOPES.filter((entry) => (entry.contexts as readonly LaunchContext[]).includes(context)).map((e) => e.scope);
}

/**
 * The `scope` parameter for `authorize`. An EHR launch asks for `launch` (the chart's patient; for the inbox, the
 * banner flag and the EHR's style); a standalone launch for the chart asks for `launch/patient` instead (the auth
 * server shows a patient picker); a standalone inbox asks for neither.
 */
export function buildScope(context: LaunchContext, form: ScopeForm, ehrLaunch: boolean): string {
  const scopes: string[] = scopesFor(context).filter((scope) => scope !== 'launch');
  if (context === 'chart') scopes.unshift(ehrLaunch ? 'launch' : 'launch/patient');
  else if (ehrLaunch) scopes.unshift('launch');
  return scopes.map((scope) => (form === 'v1' ? toV1(scope) : scope)).join(' ');
}

/**
 * True when the granted scopes allow `interaction` on `resourceType`, in either syntax and at patient or user level
 * (a user/ scope covers the launch patient too).
 */
export function grants(granted: readonly string[], resourceType: string, interaction: Interaction): boolean {
  return granted.some((scope) => {
    const parsed = parseResourceScope(scope);
    if (!parsed || parsed.level === 'system') return false;
    return (
      (parsed.resourceType === resourceType || parsed.resourceType === '*') && parsed.permissions.includes(interaction)
    );
  });
}

/** The scope, in the given syntax, that would grant `interaction` on `resourceType` in `context`. */
export function scopeNeeded(
  context: LaunchContext,
  form: ScopeForm,
  resourceType: string,
  interaction: Interaction,
): string {
  const level =
    context === 'chart' && resourceType !== 'Practitioner' && resourceType !== 'Organization' ? 'patient' : 'user';
  const v2 = `${level}/${resourceType}.${interaction}`;
  return form === 'v1' ? toV1(v2) : v2;
}
