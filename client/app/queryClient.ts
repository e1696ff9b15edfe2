/**
 * The app's one QueryClient. A "session expired" error from any query or mutation switches the app to the
 * reopen-from-the-chart screen; offline and 4xx errors are not retried blindly.
 */
import { MutationCache, QueryCache, QueryClient } from '@tanstack/react-query';
import { isFhirError } from '../fhir/fhirErrors';

/** Retry only what a second try can fix: a 5xx or a dropped connection, twice. */
function retryable(failureCount: number, error: unknown): boolean {
  return failureCount < 2 && (isFhirError(error, 'server') || isFhirError(error, 'offline'));
}

/** Creates the QueryClient; `onSessionExpired` runs when a request cannot be re-authorized. */
export function createQueryClient(onSessionExpired: () => void, options: { retry?: boolean } = {}): QueryClient {
  const onError = (error: unknown): void => {
    if (isFhirError(error, 'session-expired')) onSessionExpired();
  };
  return new QueryClient({
    queryCache: new QueryCache({ onError }),
    mutationCache: new MutationCache({ onError }),
    defaultOptions: {
      queries: {
        retry: options.retry === false ? false : retryable,
        refetchOnWindowFocus: false,
        staleTime: 30_000,
      },
      mutations: { retry: false },
    },
  });
}
