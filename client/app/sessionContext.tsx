/**
 * The FHIR session for the component tree. Components and hooks get it here; only client/fhir/ knows fhirclient.
 */
import { createContext, useContext, type ReactNode } from 'react';
import type { FhirSession } from '../fhir/smartClient';

const SessionContext = createContext<FhirSession | null>(null);

/** Provides the session to the tree. */
export function SessionProvider({ session, children }: { session: FhirSession; children: ReactNode }): ReactNode {
  return <SessionContext.Provider value={session}>{children}</SessionContext.Provider>;
}

/** The current FHIR session; throws outside a SessionProvider. */
export function useSession(): FhirSession {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession needs a SessionProvider');
  return session;
}
