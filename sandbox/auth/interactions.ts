/**
 * The sign-in step of every authorization (oidc-provider "interactions"). An EHR launch is approved at once with the
 * EHR's context: the user is already signed in to the EHR, as in smart-launcher. A standalone launch shows the
 * sandbox sign-in (pick a staff member, and a patient when `launch/patient` was asked for).
 * https://hl7.org/fhir/smart-app-launch/app-launch.html#obtain-authorization-code
 */
import express, { type Request, type Response, type Router } from 'express';
import type Provider from 'oidc-provider';
import { errors } from 'oidc-provider';
import { PATIENTS, STAFF } from '../seed/roster';
import { sendPage } from './html';
import { errorPage, pagePolicy, signInPage } from './interactionPages';
import type { GrantContext, LaunchStore } from './launchContext';
import { decideScopes, LAUNCH_SCOPES, type GrantFlow } from './smartScopes';

type Interaction = Awaited<ReturnType<Provider['interactionDetails']>>;

/** What the sign-in step needs from the authorization server. */
export interface InteractionDeps {
  provider: Provider;
  launches: LaunchStore;
  fhirBaseUrl: string;
  defaultStyleUrl: string;
  grantTtlSeconds: number;
  client(clientId: string): { name: string; scope: string } | undefined;
}

interface Decision {
  flow: Exclude<GrantFlow, 'backend-services'>;
  user: string;
  patient?: string;
  needPatientBanner: boolean;
  styleUrl: string;
}

const param = (interaction: Interaction, name: string): string | undefined => {
  const value = interaction.params[name];
  return typeof value === 'string' && value.length > 0 ? value : undefined;
};

const requestedScopes = (interaction: Interaction): string[] =>
  (param(interaction, 'scope') ?? '').split(' ').filter(Boolean);

/** Express routes for `/interaction/:uid` under the issuer path. */
export function interactionRouter(deps: InteractionDeps): Router {
  const router = express.Router();
  const form = express.urlencoded({ extended: false, limit: '8kb' });

  router.get('/interaction/:uid', async (req, res) => {
    await withInteraction(req, res, deps, async (interaction) => {
      const launch = param(interaction, 'launch');
      if (launch === undefined) return showSignIn(res, deps, interaction);
      // Used up here: a launch value starts one app (SMART App Launch, launch-app-ehr-launch).
      const context = deps.launches.takeLaunch(launch);
      if (!context) {
        return finishWithError(
          req,
          res,
          deps,
          'invalid_request',
          'the launch has expired or was already used; open the app again from the EHR',
        );
      }
      return complete(req, res, deps, interaction, {
        flow: 'ehr-launch',
        user: context.user,
        ...(context.patient === undefined ? {} : { patient: context.patient }),
        needPatientBanner: context.needPatientBanner ?? false,
        styleUrl: context.styleUrl ?? deps.defaultStyleUrl,
      });
    });
  });

  router.post('/interaction/:uid', form, async (req, res) => {
    await withInteraction(req, res, deps, async (interaction) => {
      if (param(interaction, 'launch') !== undefined) {
        return finishWithError(req, res, deps, 'invalid_request', 'an EHR launch needs no sign-in');
      }
      const body = req.body as Record<string, unknown>;
      const user = STAFF.find((member) => member.id === body.user)?.id;
      if (!user) return showSignIn(res, deps, interaction, 'Choose a staff member.');
      const pickPatient = requestedScopes(interaction).includes('launch/patient');
      const patient = PATIENTS.find((candidate) => candidate.id === body.patient)?.id;
      if (pickPatient && !patient) return showSignIn(res, deps, interaction, 'Choose a patient.');
      return complete(req, res, deps, interaction, {
        flow: 'standalone-launch',
        user,
        ...(pickPatient && patient ? { patient } : {}),
        // The app runs on its own: nothing around it shows who the patient is.
        needPatientBanner: true,
        styleUrl: deps.defaultStyleUrl,
      });
    });
  });

  router.post('/interaction/:uid/cancel', async (req, res) => {
    await withInteraction(req, res, deps, () =>
      finishWithError(req, res, deps, 'access_denied', 'the user cancelled the sign-in'),
    );
  });

  return router;
}

async function withInteraction(
  req: Request,
  res: Response,
  deps: InteractionDeps,
  handle: (interaction: Interaction) => Promise<void>,
): Promise<void> {
  let interaction: Interaction;
  try {
    interaction = await deps.provider.interactionDetails(req, res);
  } catch (error) {
    if (!(error instanceof errors.SessionNotFound)) throw error;
    res.status(400);
    sendPage(
      res,
      (nonce) =>
        errorPage(nonce, 'This sign-in has expired', {
          error: error.error,
          error_description: 'start again from the app or the EHR',
        }),
      pagePolicy,
    );
    return;
  }
  if (interaction.uid !== req.params.uid) {
    res.status(400);
    sendPage(res, (nonce) => errorPage(nonce, 'This sign-in does not match', { error: 'invalid_request' }), pagePolicy);
    return;
  }
  await handle(interaction);
}

function showSignIn(res: Response, deps: InteractionDeps, interaction: Interaction, problem?: string): Promise<void> {
  const clientId = param(interaction, 'client_id') ?? '';
  const base = `${new URL(deps.provider.issuer).pathname}/interaction/${interaction.uid}`;
  if (problem) res.status(400);
  sendPage(
    res,
    (nonce) =>
      signInPage(nonce, {
        clientName: deps.client(clientId)?.name ?? clientId,
        action: base,
        cancelAction: `${base}/cancel`,
        pickPatient: requestedScopes(interaction).includes('launch/patient'),
        requestedScopes: requestedScopes(interaction),
        ...(problem ? { problem } : {}),
      }),
    pagePolicy,
  );
  return Promise.resolve();
}

async function finishWithError(
  req: Request,
  res: Response,
  deps: InteractionDeps,
  error: string,
  description: string,
): Promise<void> {
  await deps.provider.interactionFinished(
    req,
    res,
    { error, error_description: description },
    { mergeWithLastSubmission: false },
  );
}

/** Creates the grant for this authorization, remembers its launch context, and resumes the authorization. */
async function complete(
  req: Request,
  res: Response,
  deps: InteractionDeps,
  interaction: Interaction,
  decision: Decision,
): Promise<void> {
  const { provider } = deps;
  const clientId = param(interaction, 'client_id') ?? '';
  const requested = requestedScopes(interaction);
  // The patient is part of the context only when the app asked for it: `launch` (EHR) or `launch/patient`.
  const patientAsked = requested.includes(decision.flow === 'ehr-launch' ? 'launch' : 'launch/patient');
  const patient = patientAsked ? decision.patient : undefined;
  const { granted, refused } = decideScopes({
    requested: requested.join(' '),
    registered: deps.client(clientId)?.scope ?? '',
    flow: decision.flow,
    hasPatient: patient !== undefined,
  });

  await forgetOtherUser(provider, interaction, decision.user);
  const grant = new provider.Grant({ accountId: decision.user, clientId });
  const isLaunchScope = (scope: string): boolean => (LAUNCH_SCOPES as readonly string[]).includes(scope);
  grant.addOIDCScope(granted.filter(isLaunchScope).join(' '));
  // Launch scopes go to the FHIR resource too, so the token response's `scope` lists everything granted.
  grant.addResourceScope(deps.fhirBaseUrl, granted.join(' '));
  if (refused.length > 0) {
    grant.rejectOIDCScope(refused.filter(isLaunchScope).join(' '));
    grant.rejectResourceScope(deps.fhirBaseUrl, refused.join(' '));
  }
  const grantId = await grant.save();
  const context: GrantContext = {
    flow: decision.flow,
    user: decision.user,
    ...(patient === undefined ? {} : { patient }),
    needPatientBanner: decision.needPatientBanner,
    styleUrl: decision.styleUrl,
  };
  deps.launches.saveGrantContext(grantId, context, deps.grantTtlSeconds);
  await provider.interactionFinished(
    req,
    res,
    { login: { accountId: decision.user }, consent: { grantId } },
    { mergeWithLastSubmission: false },
  );
}

/**
 * A browser signed in to the sandbox as someone else (the simulator switches users freely) would make oidc-provider
 * ask to sign out first; the EHR already decided who the user is, so the old sign-in is simply dropped.
 */
async function forgetOtherUser(provider: Provider, interaction: Interaction, user: string): Promise<void> {
  const session = interaction.session;
  if (!session || session.accountId === user) return;
  const stored = await provider.Session.find(session.cookie);
  await stored?.destroy();
  interaction.session = undefined;
  await interaction.save(interaction.exp - Math.floor(Date.now() / 1000));
}
