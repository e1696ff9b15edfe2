/**
 * The designed states around the thread: session expired, launch failed, permission missing, server error,
 * offline. Each says what happened and what to do, in the user's words.
 */
import type { ReactNode } from 'react';
import { isFhirError } from '../fhir/fhirErrors';

/** Full-screen message: the app cannot continue in this session. */
export function FullScreenMessage({ title, children }: { title: string; children: ReactNode }): ReactNode {
  return (
    <main className="screen">
      <div className="screen__card" role="alert">
        <h1>{title}</h1>
        {children}
      </div>
    </main>
  );
}

/** A 401 that could not be refreshed: the only way on is a new launch from the chart. */
export function SessionExpired(): ReactNode {
  return (
    <FullScreenMessage title="Your ChartText session has ended">
      <p>For your security, ChartText stops when the EHR ends its access. Nothing you had not sent was sent.</p>
      <p>
        <strong>Reopen ChartText from the patient’s chart</strong> to continue.
      </p>
    </FullScreenMessage>
  );
}

/** `ready()` failed: opened directly, denied by the EHR, or the code exchange failed. */
export function LaunchProblem({ reason }: { reason: string }): ReactNode {
  return (
    <FullScreenMessage title="ChartText could not connect to the EHR">
      <p>{reason}</p>
      <p>Close this and open ChartText again from the patient’s chart or the EHR’s app menu.</p>
    </FullScreenMessage>
  );
}

/** A failed request, explained in place: which permission is missing, or that a retry may help. */
export function Problem({
  error,
  what,
  onRetry,
}: {
  error: unknown;
  /** What the app was trying to do, e.g. "load this conversation". */
  what: string;
  onRetry?: () => void;
}): ReactNode {
  const retry = onRetry ? (
    <button type="button" className="button" onClick={onRetry}>
      Try again
    </button>
  ) : null;
  if (isFhirError(error, 'forbidden')) {
    return (
      <div className="problem" role="alert">
        <h2>ChartText is not allowed to {what}</h2>
        {error.missingScope ? (
          <p>
            Missing permission: <code>{error.missingScope}</code>. Ask your EHR administrator to grant it to ChartText,
            then reopen ChartText from the chart.
          </p>
        ) : (
          <p>{error.message} Ask your EHR administrator to check ChartText’s permissions.</p>
        )}
      </div>
    );
  }
  if (isFhirError(error, 'offline')) {
    return (
      <div className="problem" role="alert">
        <h2>You’re offline</h2>
        <p>ChartText could not {what}. Check your connection.</p>
        {retry}
      </div>
    );
  }
  const message = error instanceof Error ? error.message : String(error);
  return (
    <div className="problem" role="alert">
      <h2>Could not {what}</h2>
      <p>{message}</p>
      {retry}
    </div>
  );
}

/** A thin bar while the browser is offline. */
export function OfflineBanner(): ReactNode {
  return (
    <div className="notice notice--warning" role="status">
      You’re offline. New messages and delivery updates will appear when the connection returns.
    </div>
  );
}
