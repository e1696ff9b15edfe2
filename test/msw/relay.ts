/**
 * msw handlers for the relay, the app's own backend on the same origin: the outbox nudge the client calls after
 * creating a message (`POST /api/outbox/nudge`, empty JSON body, no PHI) and the practice's message templates
 * (`GET /api/templates`, the starter set unless a test sets its own).
 */
import { http, HttpResponse, type HttpHandler } from 'msw';
import type { TemplateSet } from '../../client/templates/templateFormat';
import starter from '../../server/templates/starterTemplates.json';

/** Records nudges; set `reachable = false` to simulate a relay that is down. */
export class FakeRelay {
  /** Raw request bodies of each nudge, to prove they carry no PHI. */
  readonly nudges: string[] = [];
  reachable = true;
  /** What `GET /api/templates` answers. */
  templates: TemplateSet = structuredClone(starter);
}

/** The relay's routes on any origin (the app's origin in the browser, localhost in jsdom). */
export function relayHandlers(relay: FakeRelay): HttpHandler[] {
  return [
    http.post('*/api/outbox/nudge', async ({ request }) => {
      if (!relay.reachable) return HttpResponse.error();
      relay.nudges.push(await request.text());
      return HttpResponse.json({}, { status: 202 });
    }),
    http.get('*/api/templates', () => {
      if (!relay.reachable) return HttpResponse.error();
      return HttpResponse.json(relay.templates);
    }),
  ];
}
