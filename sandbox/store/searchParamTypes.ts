/** The shape of a supported search parameter: its type, how to extract its values, and what it may be used for. */
import type { Resource } from '@medplum/fhirtypes';
import type { DateValue, ReferenceValue, StringValue, TokenValue } from './indexValues';

export interface ParamBase {
  code: string;
  description: string;
  /** Usable in `_sort`. */
  sortable?: boolean;
  /** True when the parameter is not defined by FHIR R4 (declared without a definition canonical). */
  custom?: boolean;
}

export interface ReferenceParam extends ParamBase {
  type: 'reference';
  /** Resource types the reference may point to; the first is assumed for a bare id when there is only one. */
  targets: readonly string[];
  extract: (resource: Resource) => ReferenceValue[];
}

export interface TokenParam extends ParamBase {
  type: 'token';
  extract: (resource: Resource) => TokenValue[];
}

export interface StringParam extends ParamBase {
  type: 'string';
  extract: (resource: Resource) => StringValue[];
}

export interface DateParam extends ParamBase {
  type: 'date';
  extract: (resource: Resource) => DateValue[];
}

export type SearchParam = ReferenceParam | TokenParam | StringParam | DateParam;

/** Typed helper: the extractor receives the resource type the table entry is for. */
export function on<T extends Resource>(extract: (resource: T) => unknown[]): (resource: Resource) => never[] {
  return extract as (resource: Resource) => never[];
}

/** Targets of references that may point at any of the sandbox's types. */
export const ANY_TARGET = [
  'Patient',
  'Practitioner',
  'PractitionerRole',
  'RelatedPerson',
  'Organization',
  'Communication',
];
/** Targets of references to a person or the practice. */
export const PEOPLE = ['Patient', 'Practitioner', 'PractitionerRole', 'RelatedPerson', 'Organization'];
