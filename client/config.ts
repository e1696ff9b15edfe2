/**
 * The front end's configuration: read once, at build time, from `VITE_*` variables (Vite inlines them), with the
 * sandbox defaults. The one place the launch page and the client read settings from.
 * https://vite.dev/guide/env-and-mode
 */
import type { ScopeForm } from '../launch/scopes';

// Outside a Vite build (Node scripts importing a module that reads the configuration), there is no import.meta.env.
const env: Partial<Record<string, unknown>> = (import.meta as { env?: ImportMetaEnv }).env ?? {};

function text(value: unknown, fallback: string): string {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : fallback;
}

function list(value: unknown): string[] {
  return typeof value === 'string'
    ? value
        .split(',')
        .map((item) => item.trim().replace(/\/+$/, ''))
        .filter(Boolean)
    : [];
}

export interface AppConfig {
  /** SMART client id registered with the EHR. */
  clientId: string;
  /** Scope syntax to request: SMART v2 (default) or v1 for EHRs that only grant v1. */
  scopeForm: ScopeForm;
  /** Redirect URI path on the app's origin (client/index.html). */
  redirectPath: string;
  /** FHIR bases (`iss`) the launch page accepts; empty = any https base and any loopback base. */
  allowedIssuers: string[];
  /** Id of the practice Organization whose telecom carries the practice SMS number. */
  practiceOrganizationId: string;
  /** Messages per thread page. */
  pageSize: number;
  /** Incremental poll interval while the thread is open and visible. */
  pollIntervalMs: number;
  /** How far behind its cursor the poll looks, for this long after the cursor last moved (useLiveThread.ts). */
  pollOverlapMs: number;
  /** After this long in `preparation`, the UI says the relay has not picked the message up. */
  relayPickupWarningMs: number;
  /** Relay endpoint nudged after a message is created (same origin as the app). */
  nudgePath: string;
  /** The practice's message templates (same origin as the app; docs/decisions/073-message-templates.md). */
  templatesPath: string;
}

export const APP_CONFIG: AppConfig = {
  clientId: text(env.VITE_SMART_CLIENT_ID, 'charttext'),
  scopeForm: env.VITE_SMART_SCOPE_FORM === 'v1' ? 'v1' : 'v2',
  redirectPath: '/client/',
  allowedIssuers: list(env.VITE_ALLOWED_ISS),
  practiceOrganizationId: text(env.VITE_PRACTICE_ORGANIZATION_ID, 'practice'),
  pageSize: 50,
  pollIntervalMs: 1_500,
  pollOverlapMs: 10_000,
  relayPickupWarningMs: 30_000,
  nudgePath: '/api/outbox/nudge',
  templatesPath: '/api/templates',
};
