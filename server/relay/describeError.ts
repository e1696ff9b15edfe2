/**
 * Errors in log lines: their kind, HTTP status and Twilio code, never their message, which may quote a phone number
 * (Twilio's "The 'To' number +1… is not valid") or a FHIR search with one.
 */

/** A log-safe description of an error: its kind and status, never its message (which may quote PHI). */
export function describeError(err: unknown): { name: string; status?: number; code?: number } {
  if (typeof err !== 'object' || err === null) return { name: typeof err };
  const record = err as { name?: unknown; status?: unknown; code?: unknown };
  return {
    name: typeof record.name === 'string' ? record.name : 'Error',
    ...(typeof record.status === 'number' ? { status: record.status } : {}),
    ...(typeof record.code === 'number' ? { code: record.code } : {}),
  };
}
