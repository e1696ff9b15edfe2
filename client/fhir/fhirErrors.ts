/**
 * What can go wrong talking to the EHR, as errors the UI can explain: each carries a plain message and, when the
 * server sent one, its OperationOutcome (https://hl7.org/fhir/R4/operationoutcome.html).
 */
import type { OperationOutcome } from '@medplum/fhirtypes';

export type FhirErrorKind =
  /** 401 that a refresh could not fix: the user must reopen the app from the chart. */
  | 'session-expired'
  /** 403: the token lacks a scope (the sandbox names it in the OperationOutcome). */
  | 'forbidden'
  /** The network failed before the EHR answered. */
  | 'offline'
  /** 5xx, or a response the app could not read. */
  | 'server'
  /** 409/412: someone changed the resource first. */
  | 'conflict'
  | 'not-found'
  /** 400/422 and other 4xx: the EHR refused what was sent. */
  | 'rejected';

/** An EHR request that failed, with the words to show the user. */
export class FhirRequestError extends Error {
  override readonly name = 'FhirRequestError';

  constructor(
    readonly kind: FhirErrorKind,
    message: string,
    readonly status?: number,
    readonly outcome?: OperationOutcome,
    readonly missingScope?: string,
  ) {
    super(message);
  }
}

/** True for a FhirRequestError of the given kind. */
export function isFhirError(error: unknown, kind?: FhirErrorKind): error is FhirRequestError {
  return error instanceof FhirRequestError && (kind === undefined || error.kind === kind);
}

/** The human text of an OperationOutcome: each issue's details.text, else its diagnostics. */
export function outcomeText(outcome: OperationOutcome | undefined): string | undefined {
  const texts = (outcome?.issue ?? [])
    .map((issue) => issue.details?.text ?? issue.diagnostics)
    .filter((text): text is string => typeof text === 'string' && text.trim() !== '');
  return texts.length > 0 ? texts.join(' ') : undefined;
}

const SCOPE_IN_TEXT = /\b(?:patient|user|system)\/(?:[A-Za-z]+|\*)\.(?:\*|read|write|c?r?u?d?s?)\b/;

/** The first SMART scope named in a text, e.g. "patient/Consent.rs". */
export function scopeNamedIn(text: string | undefined): string | undefined {
  const match = text ? SCOPE_IN_TEXT.exec(text) : null;
  return match && !match[0].endsWith('.') ? match[0] : undefined;
}

async function readOutcome(response: Response): Promise<OperationOutcome | undefined> {
  try {
    const type = response.headers.get('content-type') ?? '';
    if (!/json/i.test(type)) return undefined;
    const body = (await response.json()) as { resourceType?: string };
    return body.resourceType === 'OperationOutcome' ? (body as OperationOutcome) : undefined;
  } catch {
    return undefined;
  }
}

/** Turns a failed response into a FhirRequestError whose message says what happened and what to do. */
export async function errorFromResponse(response: Response): Promise<FhirRequestError> {
  const outcome = await readOutcome(response);
  const said = outcomeText(outcome);
  const status = response.status;
  if (status === 401) {
    return new FhirRequestError('session-expired', 'Your session has expired.', status, outcome);
  }
  if (status === 403) {
    const scope = scopeNamedIn(said);
    return new FhirRequestError('forbidden', said ?? 'The EHR refused this request.', status, outcome, scope);
  }
  if (status === 404 || status === 410) {
    return new FhirRequestError('not-found', said ?? 'The EHR could not find this record.', status, outcome);
  }
  if (status === 409 || status === 412) {
    return new FhirRequestError(
      'conflict',
      said ?? 'Someone else changed this record at the same time. Reload and try again.',
      status,
      outcome,
    );
  }
  if (status >= 500) {
    return new FhirRequestError(
      'server',
      `The EHR had a problem (HTTP ${status}).${said ? ` ${said}` : ''}`,
      status,
      outcome,
    );
  }
  return new FhirRequestError('rejected', said ?? `The EHR refused the request (HTTP ${status}).`, status, outcome);
}
