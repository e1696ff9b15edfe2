/**
 * The SMART launch page: the EHR opens it with `iss` (and `launch` for an EHR launch); it only authorizes.
 * The redirect lands on client/ (redirect URI), which completes the launch.
 */
import { APP_CONFIG } from '../client/config';
import { authorize } from '../client/fhir/smartClient';
import { decideAuthorize } from './authorizeRequest';

function showProblem(message: string): void {
  const status = document.getElementById('status');
  if (!status) return;
  status.textContent = message;
  status.setAttribute('role', 'alert');
  document.body.classList.add('problem');
}

const decision = decideAuthorize(new URL(window.location.href), APP_CONFIG);
if (decision.ok) {
  authorize(decision.request).catch((error: unknown) => {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    showProblem(`ChartText could not reach your EHR’s sign-in (${reason}). Close this and open ChartText again.`);
  });
} else {
  showProblem(decision.message);
}
