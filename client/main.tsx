/**
 * The redirect page (SMART redirect URI). It completes the launch with `ready()` and, as soon as the token is in,
 * asks for the thread's first page, while the React app is still downloading and compiling (app/boot.tsx): the
 * token exchange and the first page are the critical path to the thread, the app's code is not.
 */
import type { Bundle } from '@medplum/fhirtypes';
import { APP_CONFIG } from './config';
import { connect } from './fhir/smartClient';
import { threadPageSearch } from './thread/threadSearches';

const boot = import('./app/boot');

connect().then(
  async (session) => {
    const patientId = session.grant.patientId;
    const firstPage: Promise<Bundle> | undefined = patientId
      ? session.search('Communication', threadPageSearch(patientId, APP_CONFIG.pageSize))
      : undefined;
    // A failure is shown by the thread (it is the same request the thread would make); not unhandled here.
    firstPage?.catch(() => undefined);
    (await boot).start(session, firstPage);
  },
  async (error: unknown) => (await boot).showLaunchProblem(error),
);
