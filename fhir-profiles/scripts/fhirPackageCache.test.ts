import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { beforeAll, describe, expect, test } from 'vitest';
import { BUILD_LOCK, CACHE_HOME } from '../buildOutput';
import { withBuildLock } from './buildLock';
import { offlineOverride } from './buildProfiles';
import {
  CORE_PACKAGE,
  ensureFhirPackageCache,
  OfflinePackageCache,
  packageDir,
  STUB_PACKAGES,
  STUB_VERSION,
} from './fhirPackageCache';

interface IndexEntry {
  filename: string;
  resourceType: string;
  url?: string;
  derivation?: string;
  baseDefinition?: string;
}

beforeAll(async () => {
  // Under the build lock: a build in another test worker may be writing the cache.
  await withBuildLock(BUILD_LOCK, () => ensureFhirPackageCache(CACHE_HOME));
}, 120_000);

describe('offline FHIR package cache', () => {
  test('hl7.fhir.r4.core#4.0.1 is rebuilt with one file per resource and an index with derivation and baseDefinition', async () => {
    const dir = join(packageDir(CACHE_HOME, CORE_PACKAGE.name, CORE_PACKAGE.version), 'package');
    const manifest = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as { name: string; version: string };
    expect(manifest).toMatchObject({ name: 'hl7.fhir.r4.core', version: '4.0.1' });
    const index = JSON.parse(await readFile(join(dir, '.index.json'), 'utf8')) as { files: IndexEntry[] };
    const communication = index.files.find((f) => f.url === 'http://hl7.org/fhir/StructureDefinition/Communication');
    expect(communication).toMatchObject({
      filename: 'StructureDefinition-Communication.json',
      derivation: 'specialization',
      baseDefinition: 'http://hl7.org/fhir/StructureDefinition/DomainResource',
    });
    expect(
      index.files.find((f) => f.url === 'http://terminology.hl7.org/CodeSystem/v3-ParticipationMode'),
    ).toBeDefined();
    expect(index.files.length).toBeGreaterThan(2000);
  });

  test.each(STUB_PACKAGES)('%s is an empty stand-in pinned to the offline version', (name) => {
    const cache = new OfflinePackageCache(CACHE_HOME);
    expect(cache.isPackageInCache(name, STUB_VERSION)).toBe(true);
    expect(cache.getPotentialResourcePaths(name, STUB_VERSION)).toEqual([
      expect.stringMatching(/package\.json$/) as unknown as string,
    ]);
  });

  test('the cache never downloads: a missing package is an error naming the fix', async () => {
    const cache = new OfflinePackageCache(CACHE_HOME);
    await expect(cache.cachePackageTarball('hl7.fhir.us.core', '6.1.0', Readable.from([]))).rejects.toThrow(
      /not in the offline FHIR cache; run npm run profiles:build/,
    );
  });

  test('SUSHI’s registry and build-server clients refuse to reach the network', async () => {
    const { registryClient, currentBuildClient } = offlineOverride();
    await expect(registryClient?.resolveVersion('hl7.terminology.r4', 'latest')).rejects.toThrow(/offline/);
    await expect(registryClient?.download('hl7.fhir.r4.core', '4.0.1')).rejects.toThrow(/offline/);
    await expect(currentBuildClient?.getCurrentBuildDate('hl7.fhir.uv.tools.r4')).rejects.toThrow(/offline/);
    await expect(registryClient?.resolveVersion('hl7.fhir.r4.core', '4.0.1')).resolves.toBe('4.0.1');
  });
});
