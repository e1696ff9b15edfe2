/**
 * The search parameters the sandbox supports, per resource type: the single source of truth for the search engine,
 * the query parser (anything else is a 400) and the CapabilityStatement. Extraction is plain TypeScript, not FHIRPath,
 * so a resource is indexed once per write and a search never evaluates an expression.
 * Parameter semantics follow https://hl7.org/fhir/R4/searchparameter-registry.html.
 */
import { codeTokens, dateValues } from './indexValues';
import { ORGANIZATION, PATIENT, PRACTITIONER, PRACTITIONER_ROLE, RELATED_PERSON } from './peopleSearchParams';
import type { SearchParam } from './searchParamTypes';
import { COMMUNICATION, CONSENT, TASK } from './workflowSearchParams';

export type { DateParam, ReferenceParam, SearchParam, StringParam, TokenParam } from './searchParamTypes';

/** Search parameters common to every supported type. */
const COMMON: SearchParam[] = [
  {
    code: '_id',
    type: 'token',
    description: 'Logical id of the resource.',
    sortable: true,
    extract: (r) => codeTokens(r.id),
  },
  {
    code: '_lastUpdated',
    type: 'date',
    description: 'When the resource version last changed (strictly increasing per write on this server).',
    sortable: true,
    extract: (r) => dateValues(r.meta?.lastUpdated),
  },
];

/** Supported resource types and their search parameters (beyond `_id` and `_lastUpdated`). */
const TABLE: Record<string, SearchParam[]> = {
  Patient: PATIENT,
  Practitioner: PRACTITIONER,
  PractitionerRole: PRACTITIONER_ROLE,
  Organization: ORGANIZATION,
  RelatedPerson: RELATED_PERSON,
  Communication: COMMUNICATION,
  Task: TASK,
  Consent: CONSENT,
  Binary: [],
};

/** Resource types the sandbox stores and serves. */
export const SUPPORTED_TYPES: readonly string[] = Object.keys(TABLE);

/** Resource types that can be searched (Binary is read/created only, as on most servers). */
export const SEARCHABLE_TYPES: readonly string[] = SUPPORTED_TYPES.filter((t) => t !== 'Binary');

const BY_TYPE = new Map<string, Map<string, SearchParam>>(
  Object.entries(TABLE).map(([type, params]) => [type, new Map([...COMMON, ...params].map((p) => [p.code, p]))]),
);

/** The supported search parameters of a resource type (empty when the type is not supported). */
export function searchParamsOf(resourceType: string): ReadonlyMap<string, SearchParam> {
  return BY_TYPE.get(resourceType) ?? new Map();
}

/** True when the sandbox stores this resource type. */
export function isSupportedType(resourceType: string): boolean {
  return BY_TYPE.has(resourceType);
}
