/**
 * Opening the sandbox FHIR store on a data folder: recover what is there, or seed an empty folder; and the reset
 * that `npm run sandbox:reset` performs.
 */
import type { Resource } from '@medplum/fhirtypes';
import { DataFolder } from './dataFolder';
import type { SearchLimits } from './parseSearchQuery';
import { SandboxRepository } from './SandboxRepository';

export interface OpenStoreOptions {
  /** Folder for the store's files (created if missing), e.g. `.data/sandbox/`. */
  dataDir: string;
  /** The resources an empty folder (and every reset) starts with, e.g. `() => buildSeed(new Date())`. */
  seed: () => Resource[];
  limits?: SearchLimits;
}

/** The open store: a FhirRepository with reset() and close(). */
export type SandboxStore = SandboxRepository;

/** Opens the store on `dataDir`, seeding it when it holds no data yet. Close it to release the folder. */
export async function openStore(options: OpenStoreOptions): Promise<SandboxStore> {
  const { folder, records } = await DataFolder.open(options.dataDir);
  const store = new SandboxRepository({ durability: folder, seed: options.seed, limits: options.limits });
  try {
    if (records === undefined) {
      await store.reset();
    } else {
      store.load(records);
      if (folder.hasLog()) await store.compact();
    }
  } catch (err) {
    await folder.close();
    throw err;
  }
  return store;
}

/** Wipes the store's files in `dataDir` and writes a fresh seed. Fails if a running sandbox holds the folder. */
export async function resetStore(options: OpenStoreOptions): Promise<void> {
  await DataFolder.wipe(options.dataDir);
  const store = await openStore(options);
  await store.close();
}
