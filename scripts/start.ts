/**
 * `npm start`: builds what is needed (FHIR profiles, the launch and client pages) and runs the offline sandbox with
 * ChartText on loopback. `npm run dev` serves the pages through Vite with hot reload instead of the build.
 * Stops everything on Ctrl-C.
 */
import { build } from 'vite';
import { ensureProfilesBuilt } from '../fhir-profiles/scripts/buildProfiles';
import { parseSandboxConfig } from '../sandbox/config';
import { PATIENTS } from '../sandbox/seed';
import { startStack } from './stack';

const dev = process.argv.includes('--dev');

async function main(): Promise<void> {
  const config = parseSandboxConfig(process.env);
  await ensureProfilesBuilt();
  if (!dev) await build({ logLevel: 'warn' });
  const appPort = Number(new URL(config.appUrl).port || 80);
  const stack = await startStack({
    dataDir: config.dataDir,
    host: config.host,
    sandboxPort: config.port,
    appPort,
    web: dev ? 'vite' : 'dist',
    relayEnv: { LOG_LEVEL: 'warn' },
  });
  console.log(`
  ChartText sandbox is running (offline; data in ${config.dataDir}).

    Open the EHR simulator:  ${stack.sandboxUrl}/
    Patients' phones:        ${stack.sandboxUrl}/phone
    FHIR base (iss):         ${stack.fhirBaseUrl}
    ChartText launch URL:    ${stack.appUrl}/launch/

  Press Ctrl-C to stop.
`);
  // A data folder seeded by an older ChartText (other patient ids) would launch into patients that do not exist.
  const first = PATIENTS[0];
  if (
    first &&
    !(await stack.sandbox.store.readResource('Patient', first.id).then(
      () => true,
      () => false,
    ))
  ) {
    console.warn(
      `  The data in ${config.dataDir} was seeded by an older version (Patient/${first.id} is missing).\n` +
        '  Stop, run `npm run sandbox:reset`, and start again.\n',
    );
  }
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    console.log('Stopping…');
    stack.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
