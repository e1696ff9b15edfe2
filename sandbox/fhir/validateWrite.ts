/**
 * Validation of every resource written through the sandbox FHIR API: structure and cardinality via
 * @medplum/core validateResource, required code bindings, then the caller's hook (profiles). Structural problems
 * answer 400; a hook failure answers 422 ("violated applicable FHIR profiles", https://hl7.org/fhir/R4/http.html).
 */
import { normalizeOperationOutcome, OperationOutcomeError, validateResource } from '@medplum/core';
import type { OperationOutcome, OperationOutcomeIssue, Resource } from '@medplum/fhirtypes';
import { checkRequiredBindings, loadFhirDefinitions } from './requiredBindings';

/** A validation hook: an OperationOutcome with error issues rejects the write. */
export type ValidateHook = (resource: Resource) => OperationOutcome | undefined;

const isError = (issue: OperationOutcomeIssue): boolean => issue.severity === 'error' || issue.severity === 'fatal';

/** Structure and required-binding issues of a resource (empty when valid). */
export function structuralIssues(resource: Resource): OperationOutcomeIssue[] {
  loadFhirDefinitions();
  let issues: OperationOutcomeIssue[];
  try {
    issues = validateResource(resource).filter(isError);
  } catch (err) {
    issues = normalizeOperationOutcome(err).issue ?? [];
  }
  try {
    issues.push(...checkRequiredBindings(resource));
  } catch {
    // A shape the binding walker cannot follow is already reported by validateResource.
  }
  return issues;
}

/** Throws a 400 (structure, bindings) or 422 (hook) OperationOutcomeError when `resource` is not acceptable. */
export function validateWrite(resource: Resource, hook?: ValidateHook): void {
  const issues = structuralIssues(resource);
  if (issues.length > 0) {
    throw new OperationOutcomeError({ resourceType: 'OperationOutcome', id: 'invalid', issue: issues });
  }
  const hooked = hook?.(resource);
  if (hooked?.issue?.some(isError)) {
    throw new OperationOutcomeError({ ...hooked, id: hooked.id ?? 'unprocessable' });
  }
}
