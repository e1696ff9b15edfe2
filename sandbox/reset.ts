/**
 * `npm run sandbox:reset`: wipes the sandbox's FHIR data and the phone simulator's message log, then writes a fresh
 * seed. Keeps the authorization server's keys and the simulated Twilio account. Stop `npm start` first.
 */
import { rmSync } from 'node:fs';
import path from 'node:path';
import { parseSandboxConfig } from './config';
import { resetStore } from './fhir';
import { buildSeed } from './seed';

async function main(): Promise<void> {
  const config = parseSandboxConfig(process.env);
  await resetStore({ dataDir: path.join(config.dataDir, 'fhir'), seed: () => buildSeed(new Date()) });
  rmSync(path.join(config.dataDir, 'phone'), { recursive: true, force: true });
  console.log(`Sandbox reseeded in ${config.dataDir}.`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
