/**
 * Vitest global setup (node project): makes sure fhir-profiles/build is current before any test validates a resource,
 * so tests work from a clean clone. Rebuilds only when the FSH or the build script changed (a few seconds), else
 * returns at once. Wire it in vite.config.ts: `globalSetup: ['fhir-profiles/vitestGlobalSetup.ts']`.
 */
import { ensureProfilesBuilt } from './scripts/buildProfiles';

/** Builds the ChartText profiles when stale. */
export default async function setup(): Promise<void> {
  await ensureProfilesBuilt();
}
