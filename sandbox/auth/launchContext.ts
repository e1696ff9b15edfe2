/**
 * Launch context: what the EHR knows when it launches an app (user, patient, banner, style) and what the
 * authorization server remembers about each grant so it can answer the token request with it.
 * https://hl7.org/fhir/smart-app-launch/app-launch.html#launch-context-arrives-with-your-access_token
 */
import { randomBytes } from 'node:crypto';
import { badRequest, OperationOutcomeError } from '@medplum/core';
import { STAFF } from '../seed/roster';
import type { FileStore } from './fileStore';

/** What the EHR puts behind a `launch` value. */
export interface LaunchContext {
  /** The signed-in user: a Practitioner id from the roster's STAFF. */
  user: string;
  /** The patient whose chart is open; absent for a launch without patient (practice inbox). */
  patient?: string;
  /** Whether the app must draw its own patient banner; false when the EHR already shows one around the app. */
  needPatientBanner?: boolean;
  /** The SMART style document for this launch; the server's default style when absent. */
  styleUrl?: string;
}

/** What one authorization granted, kept for as long as its grant. */
export interface GrantContext {
  flow: 'ehr-launch' | 'standalone-launch';
  user: string;
  patient?: string;
  needPatientBanner: boolean;
  styleUrl: string;
}

// A clinic day: an EHR may reload the embedded app with the same launch value.
const LAUNCH_TTL_SECONDS = 12 * 60 * 60;
const FHIR_ID = /^[A-Za-z0-9\-.]{1,64}$/;

const invalid = (details: string, expression: string): OperationOutcomeError =>
  new OperationOutcomeError(badRequest(details, expression));

/** Launch values and grant contexts, persisted in the authorization server's store. */
export class LaunchStore {
  constructor(private readonly store: FileStore) {}

  /** Records a launch and returns its opaque `launch` value (no PHI in the app's launch URL). */
  createLaunch(context: LaunchContext): string {
    if (!STAFF.some((member) => member.id === context.user)) {
      throw invalid(`user must be a sandbox staff id (${STAFF.map((member) => member.id).join(', ')})`, 'user');
    }
    if (context.patient !== undefined && !FHIR_ID.test(context.patient)) {
      throw invalid('patient must be a FHIR resource id ([A-Za-z0-9-.], at most 64 characters)', 'patient');
    }
    const id = randomBytes(16).toString('base64url');
    this.store.set(`SmartLaunch:${id}`, context, LAUNCH_TTL_SECONDS);
    return id;
  }

  /** The context behind a launch value, or undefined when unknown or expired. */
  readLaunch(id: string): LaunchContext | undefined {
    return this.store.get<LaunchContext>(`SmartLaunch:${id}`);
  }

  /** Remembers what a grant was given, for the token response and access-token verification. */
  saveGrantContext(grantId: string, context: GrantContext, ttlSeconds: number): void {
    this.store.set(`SmartGrantContext:${grantId}`, context, ttlSeconds);
  }

  /** The context of a grant, or undefined. */
  grantContext(grantId: string): GrantContext | undefined {
    return this.store.get<GrantContext>(`SmartGrantContext:${grantId}`);
  }
}
