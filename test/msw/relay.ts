/**
 * msw handlers for the relay, the app's own backend on the same origin: only the outbox nudge the client calls
 * after creating a message (`POST /api/outbox/nudge`, empty JSON body, no PHI).
 */
import { http, HttpResponse, type HttpHandler } from 'msw';

/** Records nudges; set `reachable = false` to simulate a relay that is down. */
export class FakeRelay {
  /** Raw request bodies of each nudge, to prove they carry no PHI. */
  readonly nudges: string[] = [];
  reachable = true;
}

/** The relay's routes on any origin (the app's origin in the browser, localhost in jsdom). */
export function relayHandlers(relay: FakeRelay): HttpHandler[] {
  return [
    http.post('*/api/outbox/nudge', async ({ request }) => {
      if (!relay.reachable) return HttpResponse.error();
      relay.nudges.push(await request.text());
      return HttpResponse.json({}, { status: 202 });
    }),
  ];
}
