/**
 * `npm run sandbox`: the sandbox alone (EHR simulator, FHIR, SMART auth, phone simulator), for pointing a ChartText
 * that runs elsewhere (or another SMART app) at it. `npm start` runs the sandbox together with ChartText.
 */
import { createServer } from 'node:http';
import { createSandbox } from './app';
import { parseSandboxConfig } from './config';

async function main(): Promise<void> {
  const config = parseSandboxConfig(process.env);
  const sandbox = await createSandbox({ publicUrl: config.publicUrl, appUrl: config.appUrl, dataDir: config.dataDir });
  const server = createServer(sandbox.app);
  await new Promise<void>((resolve) => server.listen(config.port, config.host, resolve));
  console.log(`Sandbox EHR at ${config.publicUrl}/ (FHIR base ${sandbox.fhirBaseUrl}). Ctrl-C stops it.`);
  const stop = (): void => {
    server.closeAllConnections();
    server.close();
    void sandbox.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
