/**
 * Renders the app once the launch has completed (or the launch problem when it has not).
 */
import type { Bundle } from '@medplum/fhirtypes';
import { StrictMode } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import type { FhirSession } from '../fhir/smartClient';
import { App } from './App';
import { prepareTimeLabels } from '../thread/timeLabels';
import { LaunchProblem } from './StatusScreens';
// The page links it (the build puts it in client/index.html): it loads beside the scripts, before anything renders.
import './app.css';

let root: Root | undefined;

function mount(): Root {
  root ??= createRoot(document.getElementById('root') as HTMLElement);
  return root;
}

/** Starts the app for a launched session; `firstPage` is the thread's first page, already requested. */
export function start(session: FhirSession, firstPage?: Promise<Bundle>): void {
  if (firstPage) prepareTimeLabels();
  mount().render(
    <StrictMode>
      <App session={session} {...(firstPage ? { firstPage } : {})} />
    </StrictMode>,
  );
}

/** Shows why the launch could not complete. fhirclient's messages are technical: the first line names the cause. */
export function showLaunchProblem(error: unknown): void {
  const first = error instanceof Error ? (error.message.split('\n')[0] ?? '') : '';
  const reason = /state/i.test(first)
    ? 'This page was opened directly, or the launch expired.'
    : `The EHR answered: ${first || 'an unknown error'}.`;
  mount().render(<LaunchProblem reason={reason} />);
}
