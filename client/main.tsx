/**
 * The redirect page (SMART redirect URI): completes the launch with `ready()` and starts the app.
 */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/App';
import { LaunchProblem } from './app/StatusScreens';
import { connect } from './fhir/smartClient';
import './app/app.css';

const root = createRoot(document.getElementById('root') as HTMLElement);

connect()
  .then((session) => {
    root.render(
      <StrictMode>
        <App session={session} />
      </StrictMode>,
    );
  })
  .catch((error: unknown) => {
    // fhirclient's messages are technical; keep the first line, which names the cause (e.g. access_denied).
    const first = error instanceof Error ? (error.message.split('\n')[0] ?? '') : '';
    const reason = /state/i.test(first)
      ? 'This page was opened directly, or the launch expired.'
      : `The EHR answered: ${first || 'an unknown error'}.`;
    root.render(<LaunchProblem reason={reason} />);
  });
