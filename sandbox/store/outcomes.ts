/**
 * OperationOutcomes the sandbox returns beyond the @medplum/core helpers, each with an `id` that maps to its HTTP
 * status in one place (`statusOf`). The texts say what to fix.
 */
import { getStatus, OperationOutcomeError } from '@medplum/core';
import type { OperationOutcome, OperationOutcomeIssue } from '@medplum/fhirtypes';

type IssueCode = OperationOutcomeIssue['code'];

/** Outcome ids this module adds, with their HTTP status; @medplum/core's ids map through getStatus. */
const EXTRA_STATUS: Record<string, number> = {
  'method-not-allowed': 405,
  'not-acceptable': 406,
  'payload-too-large': 413,
  'unsupported-media-type': 415,
  unprocessable: 422,
  'server-error': 500,
};

/** An error outcome with one issue. `id` selects the HTTP status (see statusOf). */
export function outcome(id: string, code: IssueCode, text: string, expression?: string[]): OperationOutcome {
  return {
    resourceType: 'OperationOutcome',
    id,
    issue: [{ severity: 'error', code, details: { text }, ...(expression?.length ? { expression } : {}) }],
  };
}

/** Throws an OperationOutcomeError for `outcome(...)`. */
export function raise(id: string, code: IssueCode, text: string, expression?: string[]): never {
  throw new OperationOutcomeError(outcome(id, code, text, expression));
}

export const outcomes = {
  notFound: (text: string): OperationOutcome => outcome('not-found', 'not-found', text),
  gone: (text: string): OperationOutcome => outcome('gone', 'deleted', text),
  preconditionFailed: (text: string): OperationOutcome => outcome('precondition-failed', 'conflict', text),
  multipleMatches: (text: string): OperationOutcome => outcome('multiple-matches', 'multiple-matches', text),
  forbidden: (text: string): OperationOutcome => outcome('forbidden', 'forbidden', text),
  unauthorized: (text: string): OperationOutcome => outcome('unauthorized', 'login', text),
  notSupported: (text: string): OperationOutcome => outcome('not-supported', 'not-supported', text),
  methodNotAllowed: (text: string): OperationOutcome => outcome('method-not-allowed', 'not-supported', text),
  notAcceptable: (text: string): OperationOutcome => outcome('not-acceptable', 'not-supported', text),
  payloadTooLarge: (text: string): OperationOutcome => outcome('payload-too-large', 'too-costly', text),
  unsupportedMediaType: (text: string): OperationOutcome => outcome('unsupported-media-type', 'not-supported', text),
  invalid: (text: string, expression?: string): OperationOutcome =>
    outcome('invalid', 'invalid', text, expression ? [expression] : undefined),
  serverError: (text: string): OperationOutcome => outcome('server-error', 'exception', text),
};

/** The HTTP status an outcome stands for. */
export function statusOf(result: OperationOutcome): number {
  const extra = result.id ? EXTRA_STATUS[result.id] : undefined;
  return extra ?? getStatus(result);
}
