/**
 * `npm run doctor -- --fhir <FHIR R4 base URL> [--json]`: hospital IT's preflight. Reads the relay's configuration
 * from the environment (as `npm run serve` does; `--fhir` stands in for FHIR_BASE_URL when that is unset), runs every check against the
 * EHR, Twilio and the deployment, prints the report and exits 1 when anything failed (2 for a usage error).
 */
import { ConfigError, loadRelayConfig, type RelayConfig } from '../config';
import { exitCodeOf, formatReport } from './printReport';
import { runDoctor } from './runDoctor';

const USAGE = 'usage: npm run doctor -- --fhir <FHIR R4 base URL> [--json]';

function argument(name: string): string | undefined {
  const index = process.argv.indexOf(name);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

/** The relay's configuration as it is; FHIR_BASE_URL defaults to `--fhir` when unset (a preflight before go-live). */
function loadConfig(fhirBaseUrl: string): RelayConfig {
  try {
    return loadRelayConfig();
  } catch (err) {
    if (
      err instanceof ConfigError &&
      err.problems.some((problem) => problem.startsWith('FHIR_BASE_URL: is required'))
    ) {
      return loadRelayConfig({ FHIR_BASE_URL: fhirBaseUrl });
    }
    throw err;
  }
}

async function main(): Promise<number> {
  const given = argument('--fhir');
  if (!given || !/^https?:\/\//.test(given)) {
    console.error(`${USAGE}\n  --fhir: the EHR's FHIR R4 base, e.g. https://ehr.example.org/fhir/R4`);
    return 2;
  }
  const fhirBaseUrl = given.replace(/\/+$/, '');
  let config: RelayConfig | ConfigError;
  try {
    config = loadConfig(fhirBaseUrl);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    config = err;
  }
  const rows = await runDoctor({ fhirBaseUrl, config });
  process.stdout.write(
    process.argv.includes('--json') ? `${JSON.stringify(rows, null, 2)}\n` : formatReport(fhirBaseUrl, rows),
  );
  return exitCodeOf(rows);
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
