/**
 * The one place errors become HTTP responses: an OperationOutcome body (application/fhir+json) with the status its
 * issue code stands for (@medplum/core getStatus). Unknown errors are a 500 that reveals nothing of their cause.
 */
import { badRequest, getStatus, OperationOutcomeError, serverError } from '@medplum/core';
import type { OperationOutcome } from '@medplum/fhirtypes';
import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from 'pino';
import { describeError } from '../relay/describeError';
import { RetryLaterError } from '../relay/retryLater';

/** An OperationOutcome saying `diagnostics`, with `code` as its issue type. */
export function outcome(code: string, diagnostics: string): OperationOutcome {
  return {
    resourceType: 'OperationOutcome',
    issue: [{ severity: 'error', code: code as 'invalid', diagnostics }],
  };
}

/** The error for a body-parser failure (too large, malformed), which says what to fix. */
function fromBodyParser(err: { type?: unknown; status?: unknown }): [number, OperationOutcome] | undefined {
  if (err.type === 'entity.too.large') return [413, outcome('too-costly', 'The request body is too large.')];
  if (err.type === 'parameters.too.many') return [413, outcome('too-costly', 'The form has too many fields.')];
  if (err.type === 'entity.parse.failed' || err.type === 'encoding.unsupported' || err.type === 'charset.unsupported') {
    return [400, badRequest('The request body could not be read; send application/x-www-form-urlencoded in UTF-8.')];
  }
  return undefined;
}

/** Express error middleware mapping errors to OperationOutcomes. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err: unknown, _req, res, _next) => {
    let status: number;
    let body: OperationOutcome;
    const parsed = typeof err === 'object' && err !== null ? fromBodyParser(err) : undefined;
    if (parsed) {
      [status, body] = parsed;
    } else if (err instanceof RetryLaterError) {
      status = 503;
      body = err.outcome;
      res.set('Retry-After', String(err.retryAfterSeconds));
    } else if (err instanceof OperationOutcomeError) {
      status = getStatus(err.outcome);
      body = err.outcome;
    } else {
      status = 500;
      body = serverError(new Error('The relay failed to handle the request.'));
      logger.error({ err: describeError(err) }, 'unhandled error');
    }
    res.status(status).type('application/fhir+json').send(JSON.stringify(body));
  };
}

/** 404 for anything the relay does not serve. */
export const notFoundHandler: RequestHandler = (req, res) => {
  res
    .status(404)
    .type('application/fhir+json')
    .send(JSON.stringify(outcome('not-found', `No relay endpoint at ${req.method} ${req.path}.`)));
};
