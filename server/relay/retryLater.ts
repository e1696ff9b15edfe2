/**
 * A webhook the relay cannot take now. Twilio is answered 503 with `Retry-After`: with connection overrides on the
 * webhook URL (`#rp=ct,5xx`, https://www.twilio.com/docs/usage/webhooks/webhooks-connection-overrides) it sends the
 * request again, and without them its message log keeps the message for reconciliation (docs/decisions/017). A 200
 * for a message the relay then drops would be a lost message.
 */
import { OperationOutcomeError } from '@medplum/core';

export class RetryLaterError extends OperationOutcomeError {
  constructor(
    diagnostics: string,
    /** Seconds Twilio should wait before sending it again. */
    readonly retryAfterSeconds: number,
  ) {
    super({
      resourceType: 'OperationOutcome',
      issue: [{ severity: 'error', code: 'transient', diagnostics }],
    });
  }
}
