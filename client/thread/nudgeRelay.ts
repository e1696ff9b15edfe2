/**
 * Step 2b of the flow: tell the relay there is outbound work (`POST /api/outbox/nudge` on the app's own origin).
 * The body is `{}`: no PHI, no ids; the relay finds pending Communications itself. A failed nudge is not an error:
 * the message stays `preparation` and the relay's sweep picks it up (docs/decisions/045-sending-and-nudge.md).
 */
import { APP_CONFIG } from '../config';

/** Nudges the relay; resolves true when it acknowledged, false when unreachable. Never throws. */
export async function nudgeRelay(): Promise<boolean> {
  try {
    const response = await fetch(new URL(APP_CONFIG.nudgePath, window.location.origin), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
      credentials: 'same-origin',
      keepalive: true,
    });
    return response.ok;
  } catch {
    return false;
  }
}
