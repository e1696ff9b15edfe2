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

// A `launch` value is a one-time handle for one app start (used within minutes, then gone), as real EHRs issue them:
// a leaked launch URL opens nothing. The EHR's open chart lasts a clinic day and mints a fresh launch per app start.
const LAUNCH_TTL_SECONDS = 5 * 60;
const CHART_TTL_SECONDS = 12 * 60 * 60;
const FHIR_ID = /^[A-Za-z0-9\-.]{1,64}$/;

const invalid = (details: string, expression: string): OperationOutcomeError =>
  new OperationOutcomeError(badRequest(details, expression));

/** Launch values and grant contexts, persisted in the authorization server's store. */
export class LaunchStore {
  constructor(private readonly store: FileStore) {}

  /** Records a single-use launch (valid 5 minutes) and returns its opaque `launch` value (no PHI in the URL). */
  createLaunch(context: LaunchContext): string {
    return this.record('SmartLaunch', context, LAUNCH_TTL_SECONDS);
  }

  /** The context behind a launch value, or undefined when unknown, used or expired; the launch stays. */
  readLaunch(id: string): LaunchContext | undefined {
    return this.store.get<LaunchContext>(`SmartLaunch:${id}`);
  }

  /** The context behind a launch value, which is used up: the next app start with it finds nothing. */
  takeLaunch(id: string): LaunchContext | undefined {
    const context = this.readLaunch(id);
    this.store.delete(`SmartLaunch:${id}`);
    return context;
  }

  /** Records a chart the EHR simulator opened (a clinic day); each app start in it gets its own launch. */
  openChart(context: LaunchContext): string {
    return this.record('EhrChart', context, CHART_TTL_SECONDS);
  }

  /** The context of an open chart, or undefined when unknown or expired. */
  readChart(id: string): LaunchContext | undefined {
    return this.store.get<LaunchContext>(`EhrChart:${id}`);
  }

  private record(kind: 'SmartLaunch' | 'EhrChart', context: LaunchContext, ttlSeconds: number): string {
    if (!STAFF.some((member) => member.id === context.user)) {
      throw invalid(`user must be a sandbox staff id (${STAFF.map((member) => member.id).join(', ')})`, 'user');
    }
    if (context.patient !== undefined && !FHIR_ID.test(context.patient)) {
      throw invalid('patient must be a FHIR resource id ([A-Za-z0-9-.], at most 64 characters)', 'patient');
    }
    const id = randomBytes(16).toString('base64url');
    this.store.set(`${kind}:${id}`, context, ttlSeconds);
    return id;
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
