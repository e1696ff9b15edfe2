/**
 * `npm run profiles:build`: compiles ChartText's FSH (fhir-profiles/input/fsh) with SUSHI, offline, with snapshots,
 * into fhir-profiles/build/ (docs/decisions/030-offline-fhir-package-cache.md).
 *
 * SUSHI runs in-process through its programmatic API rather than its CLI: the CLI always asks the npm registry for
 * the latest SUSHI version (a network call, and a warning when offline). The package cache is handed to SUSHI
 * directly, with a registry client that refuses to download, so a missing package fails loudly instead of
 * reaching for the network.
 *
 * Flags: `--force` rebuilds even when the output is current; `--quiet` prints only problems.
 */
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Bundle, CodeSystem, Resource, StructureDefinition, ValueSet } from '@medplum/fhirtypes';
import { fhirdefs, sushiExport, utils } from 'fsh-sushi';
import {
  BUILD_DIR,
  BUILD_LOCK,
  type BuildStamp,
  CACHE_HOME,
  DEFINITIONS_FILE,
  EXAMPLES_FILE,
  EXPANSIONS_FILE,
  inputsDigest,
  PROFILES_ROOT,
  readStamp,
  STAMP_FILE,
} from '../buildOutput';
import { REQUIREMENTS_CAPABILITY_STATEMENT } from '../requirements';
import { withBuildLock } from './buildLock';
import { CORE_PACKAGE, ensureFhirPackageCache, OfflinePackageCache, packageDir } from './fhirPackageCache';
import { createResolver, expandRequiredValueSets } from './expandValueSets';

/** What a build did. */
export interface BuildReport {
  skipped: boolean;
  cacheRebuilt: boolean;
  definitions: number;
  examples: number;
  expansions: number;
  unexpandedValueSets: string[];
  errors: string[];
  warnings: string[];
  millis: number;
}

type DefinitionsOverride = NonNullable<Parameters<typeof fhirdefs.createFHIRDefinitions>[0]>;

const offline = (what: string): Promise<never> =>
  Promise.reject(new Error(`${what}: the ChartText profile build is offline; every package must be in ${CACHE_HOME}`));

/** SUSHI's loader hooks, all local: the package cache is ours and nothing may be downloaded. */
export function offlineOverride(): DefinitionsOverride {
  return {
    packageCache: new OfflinePackageCache(CACHE_HOME),
    registryClient: {
      // Concrete versions resolve to themselves; "latest" or ranges would need the registry.
      resolveVersion: (name: string, version: string) =>
        /^\d+\.\d+\.\d+(-[\w.-]+)?$/.test(version) ? Promise.resolve(version) : offline(`resolve ${name}#${version}`),
      download: (name: string, version: string) => offline(`download ${name}#${version}`),
    },
    currentBuildClient: {
      downloadCurrentBuild: (name: string) => offline(`download current build of ${name}`),
      getCurrentBuildDate: (name: string) => offline(`date of current build of ${name}`),
    },
  };
}

interface SushiResult {
  definitions: Resource[];
  examples: Resource[];
  errors: string[];
  warnings: string[];
}

async function runSushi(): Promise<SushiResult> {
  const transport = utils.logger.transports[0];
  const wasSilent = transport?.silent;
  utils.errorsAndWarnings.reset();
  utils.errorsAndWarnings.shouldTrack = true;
  utils.stats.reset();
  if (transport) transport.silent = true;
  try {
    const config = utils.readConfig(PROFILES_ROOT);
    const tank = utils.fillTank(utils.getRawFSHes(join(PROFILES_ROOT, 'input', 'fsh')), config);
    tank.checkDuplicateNameEntities();
    const defs = await fhirdefs.createFHIRDefinitions(offlineOverride());
    await utils.loadExternalDependencies(defs, config);
    defs.optimize();
    const pkg = sushiExport.exportFHIR(tank, defs);
    const toJson = (r: { toJSON: (snapshot: boolean) => unknown }): Resource => r.toJSON(true) as Resource;
    const definitions = [...pkg.profiles, ...pkg.extensions, ...pkg.codeSystems, ...pkg.valueSets].map(toJson);
    const instances = pkg.instances.filter((i) => i._instanceMeta.usage !== 'Inline').map(toJson);
    const isExample = (i: (typeof pkg.instances)[number]): boolean => i._instanceMeta.usage === 'Example';
    const exampleIds = new Set(pkg.instances.filter(isExample).map((i) => `${i.resourceType}/${i.id}`));
    return {
      definitions: [...definitions, ...instances.filter((r) => !exampleIds.has(`${r.resourceType}/${r.id}`))],
      examples: instances.filter((r) => exampleIds.has(`${r.resourceType}/${r.id}`)),
      errors: utils.errorsAndWarnings.errors.map((e) => describe(e)),
      warnings: utils.errorsAndWarnings.warnings.map((w) => describe(w)),
    };
  } finally {
    if (transport) transport.silent = wasSilent ?? false;
    utils.errorsAndWarnings.shouldTrack = false;
  }
}

function describe(message: { message: string; location?: { startLine: number }; input?: string }): string {
  const where = message.input ? ` (${message.input}${message.location ? `:${message.location.startLine}` : ''})` : '';
  return `${message.message}${where}`;
}

function collection(resources: Resource[]): Bundle {
  return { resourceType: 'Bundle', type: 'collection', entry: resources.map((resource) => ({ resource })) };
}

async function writeJsonAtomically(path: string, value: unknown): Promise<void> {
  const temp = `${path}.${process.pid}.tmp`;
  await writeFile(temp, `${JSON.stringify(value, null, 2)}\n`);
  await rename(temp, path);
}

/** Runs the whole build unconditionally. */
export async function buildProfiles(): Promise<BuildReport> {
  const started = performance.now();
  const digest = inputsDigest();
  const cache = await ensureFhirPackageCache(CACHE_HOME);
  const sushi = await runSushi();
  const report: BuildReport = {
    skipped: false,
    cacheRebuilt: cache.rebuilt,
    definitions: 0,
    examples: 0,
    expansions: 0,
    unexpandedValueSets: [],
    errors: sushi.errors,
    warnings: sushi.warnings,
    millis: 0,
  };
  if (sushi.errors.length > 0 || sushi.warnings.length > 0) {
    report.millis = performance.now() - started;
    return report;
  }

  const definitions = [...sushi.definitions, REQUIREMENTS_CAPABILITY_STATEMENT];
  const structureDefinitions = definitions.filter(
    (r): r is StructureDefinition => r.resourceType === 'StructureDefinition',
  );
  const terminology = definitions.filter(
    (r): r is CodeSystem | ValueSet => r.resourceType === 'CodeSystem' || r.resourceType === 'ValueSet',
  );
  const resolve = await createResolver(terminology, packageDir(CACHE_HOME, CORE_PACKAGE.name, CORE_PACKAGE.version));
  const builtAt = new Date().toISOString();
  const { expanded, skipped } = await expandRequiredValueSets(structureDefinitions, resolve, builtAt);

  // The stamp goes first and comes back last, so a reader never trusts a half-written build.
  await rm(STAMP_FILE, { force: true });
  await rm(join(BUILD_DIR, 'resources'), { recursive: true, force: true });
  await mkdir(join(BUILD_DIR, 'resources'), { recursive: true });
  await Promise.all(
    [...definitions, ...sushi.examples].map((r) =>
      writeFile(join(BUILD_DIR, 'resources', `${r.resourceType}-${r.id}.json`), `${JSON.stringify(r, null, 2)}\n`),
    ),
  );
  await writeJsonAtomically(DEFINITIONS_FILE, collection(definitions));
  await writeJsonAtomically(EXAMPLES_FILE, collection(sushi.examples));
  await writeJsonAtomically(EXPANSIONS_FILE, collection(expanded));
  const stamp: BuildStamp = {
    digest,
    builtAt,
    sushi: utils.getLocalSushiVersion(),
    definitions: definitions.length,
    examples: sushi.examples.length,
    expansions: expanded.length,
  };
  await writeJsonAtomically(STAMP_FILE, stamp);

  Object.assign(report, {
    definitions: definitions.length,
    examples: sushi.examples.length,
    expansions: expanded.length,
    unexpandedValueSets: skipped,
    millis: performance.now() - started,
  });
  return report;
}

/** Builds only when the output is missing or older than its inputs; reports SUSHI's problems instead of throwing. */
export async function buildIfStale(): Promise<BuildReport> {
  const current = (): BuildReport | undefined => {
    const stamp = readStamp();
    if (stamp?.digest !== inputsDigest()) return undefined;
    return {
      skipped: true,
      cacheRebuilt: false,
      definitions: stamp.definitions,
      examples: stamp.examples,
      expansions: stamp.expansions,
      unexpandedValueSets: [],
      errors: [],
      warnings: [],
      millis: 0,
    };
  };
  // Another process may be building the same inputs: wait for it, then look again before building.
  return current() ?? withBuildLock(BUILD_LOCK, async () => current() ?? buildProfiles());
}

/** Builds when stale and throws on any SUSHI error or warning (for test setup and `npm start`). */
export async function ensureProfilesBuilt(): Promise<BuildReport> {
  const report = await buildIfStale();
  if (report.errors.length > 0 || report.warnings.length > 0) {
    throw new Error(`ChartText profile build failed:\n${[...report.errors, ...report.warnings].join('\n')}`);
  }
  return report;
}

async function main(argv: string[]): Promise<number> {
  const quiet = argv.includes('--quiet');
  const report = argv.includes('--force') ? await withBuildLock(BUILD_LOCK, buildProfiles) : await buildIfStale();
  for (const error of report.errors) console.error(`error: ${error}`);
  for (const warning of report.warnings) console.error(`warning: ${warning}`);
  if (report.errors.length > 0 || report.warnings.length > 0) {
    console.error(`profiles:build failed: ${report.errors.length} errors, ${report.warnings.length} warnings (SUSHI)`);
    return 1;
  }
  if (!quiet) {
    const seconds = (report.millis / 1000).toFixed(1);
    const summary = report.skipped
      ? 'fhir-profiles/build is current'
      : `${report.definitions} definitions, ${report.examples} examples, ${report.expansions} value set expansions` +
        `${report.cacheRebuilt ? ', FHIR package cache rebuilt' : ''} in ${seconds} s`;
    process.stdout.write(`profiles:build: ${summary}\n`);
  }
  return 0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
