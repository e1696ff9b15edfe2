/**
 * The redirect page (SMART redirect URI). It completes the launch with `ready()` and, as soon as the token is in,
 * asks for the thread's first page, then starts the app with that request under way.
 *
 * The app's code is a static import: it downloads with this script (the build preloads it from the page) and is
 * compiled before the token request goes out, so when the token and then the first page come back the browser has
 * nothing else to do. Loading it with import() instead, during the token exchange, made its compile land on the
 * token's answer and the first page's, and the thread painted later (docs/decisions/049-thread-first-paint.md).
 */
import type { Bundle } from '@medplum/fhirtypes';
import { showLaunchProblem, start } from './app/boot';
import { APP_CONFIG } from './config';
import { connect } from './fhir/smartClient';
import { threadPageSearch } from './thread/threadSearches';

connect().then(
  (session) => {
    const patientId = session.grant.patientId;
    const firstPage: Promise<Bundle> | undefined = patientId
      ? session.search('Communication', threadPageSearch(patientId, APP_CONFIG.pageSize))
      : undefined;
    // A failure is shown by the thread (it is the same request the thread would make); not unhandled here.
    firstPage?.catch(() => undefined);
    start(session, firstPage);
  },
  (error: unknown) => showLaunchProblem(error),
);
