/**
 * The app after launch: one QueryClient, the session, the EHR's style, and either the chart view (banner +
 * thread) or the practice inbox. A session that cannot be renewed replaces everything with the reopen screen.
 */
import { QueryClientProvider } from '@tanstack/react-query';
import { Component, lazy, Suspense, useState, type ErrorInfo, type ReactNode } from 'react';
import { readThreadPage } from '../thread/messageModel';
import { ThreadScreen } from '../thread/ThreadScreen';
import { threadQuery } from '../thread/threadQueries';
import type { Bundle } from '@medplum/fhirtypes';
import type { FhirSession } from '../fhir/smartClient';
import { PatientBanner } from './PatientBanner';
import { createQueryClient } from './queryClient';
import { SessionProvider, useSession } from './sessionContext';
import { useSmartStyle } from './smartStyle';
import { FullScreenMessage, OfflineBanner, SessionExpired } from './StatusScreens';
import { useOnline } from './useOnline';

class CrashBoundary extends Component<{ children: ReactNode }, { crashed: boolean }> {
  override state = { crashed: false };

  static getDerivedStateFromError(): { crashed: boolean } {
    return { crashed: true };
  }

  override componentDidCatch(error: Error, info: ErrorInfo): void {
    // No PHI here: the message of a rendering error, and where it happened.
    console.warn('ChartText crashed while rendering', error.name, info.componentStack?.split('\n')[1]?.trim());
  }

  override render(): ReactNode {
    if (!this.state.crashed) return this.props.children;
    return (
      <FullScreenMessage title="Something went wrong">
        <p>ChartText hit an unexpected problem. Nothing you had not sent was sent.</p>
        <p>Reopen ChartText from the patient’s chart to continue.</p>
      </FullScreenMessage>
    );
  }
}

function ChartView({ patientId }: { patientId: string }): ReactNode {
  const session = useSession();
  return (
    <div className="layout">
      {session.grant.needPatientBanner && <PatientBanner patientId={patientId} />}
      <ThreadScreen patientId={patientId} />
    </div>
  );
}

// The inbox is its own chunk: a chart launch never downloads it (docs/decisions/070-inbox-queries.md).
const InboxScreen = lazy(() => import('../inbox/InboxScreen'));

function Inbox(): ReactNode {
  return (
    <Suspense
      fallback={
        <p className="boot" role="status">
          Opening the practice inbox…
        </p>
      }
    >
      <InboxScreen />
    </Suspense>
  );
}

function Shell(): ReactNode {
  const session = useSession();
  const online = useOnline();
  useSmartStyle(session.grant.smartStyleUrl);
  return (
    <div className="app">
      {!online && <OfflineBanner />}
      {session.grant.patientId ? <ChartView patientId={session.grant.patientId} /> : <Inbox />}
    </div>
  );
}

export interface AppProps {
  session: FhirSession;
  /** The thread's first page, requested by the page's entry script before the app loaded. */
  firstPage?: Promise<Bundle>;
  /** Tests turn retries off. */
  retry?: boolean;
}

/** The whole client app for a launched session. */
export function App({ session, firstPage, retry }: AppProps): ReactNode {
  const [expired, setExpired] = useState(false);
  const [queryClient] = useState(() => {
    const client = createQueryClient(() => setExpired(true), retry === undefined ? {} : { retry });
    // The thread's first page is the critical path: start it now (or adopt the one main.tsx started), before the
    // first render commits.
    const patientId = session.grant.patientId;
    if (patientId) {
      const thread = threadQuery(session, patientId);
      void client.prefetchInfiniteQuery(
        firstPage ? { ...thread, queryFn: () => firstPage.then(readThreadPage) } : thread,
      );
    }
    return client;
  });
  if (expired) return <SessionExpired />;
  return (
    <CrashBoundary>
      <QueryClientProvider client={queryClient}>
        <SessionProvider session={session}>
          <Shell />
        </SessionProvider>
      </QueryClientProvider>
    </CrashBoundary>
  );
}
