/**
 * The SMART additions to the token response: launch context (`patient`, `need_patient_banner`, `smart_style_url`)
 * next to the access token, and client-authentication errors that say what to fix.
 * https://hl7.org/fhir/smart-app-launch/app-launch.html#response-5
 */
import type Provider from 'oidc-provider';
import type { KoaContextWithOIDC } from 'oidc-provider';
import type { GrantContext, LaunchStore } from './launchContext';

/** The launch-context parameters of a token response for a grant. */
export function launchParameters(context: GrantContext): Record<string, string | boolean> {
  return {
    ...(context.patient === undefined ? {} : { patient: context.patient }),
    need_patient_banner: context.needPatientBanner,
    smart_style_url: context.styleUrl,
  };
}

interface TokenRouteState {
  clientAuthDetail?: string;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

type ProviderMiddleware = Parameters<Provider['use']>[0];

/** Koa middleware (for `provider.use`) adding launch context to token responses. */
export function smartTokenResponse(provider: Provider, launches: LaunchStore): ProviderMiddleware {
  // oidc-provider hides why client authentication failed; the sandbox is where people set up their client, so tell.
  provider.on('grant.error', (ctx, error) => {
    const detail = (error as { error?: string; error_detail?: string }).error_detail;
    if ((error as { error?: string }).error === 'invalid_client' && detail) {
      (ctx.state as TokenRouteState).clientAuthDetail = detail;
    }
  });
  return async (ctx, next) => {
    await next();
    // Set by oidc-provider's routes; absent for requests no route matched.
    const oidc = (ctx as Partial<KoaContextWithOIDC>).oidc;
    if (oidc?.route !== 'token' || !isRecord(ctx.body)) return;
    const body = ctx.body;
    const detail = (ctx.state as TokenRouteState).clientAuthDetail;
    if (body.error === 'invalid_client' && detail) {
      ctx.body = { ...body, error_description: `client authentication failed: ${detail}` };
      return;
    }
    const grantId = oidc.entities.AccessToken?.grantId;
    const context = ctx.status === 200 && grantId ? launches.grantContext(grantId) : undefined;
    if (context) ctx.body = { ...body, ...launchParameters(context) };
  };
}
