/**
 * A small key-value store with expiry, kept in memory and written to one JSON file, so the authorization server's
 * tokens, grants and launches survive a sandbox restart. Writes are coalesced and atomic (temp file + rename).
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { writeFile, rename } from 'node:fs/promises';
import { dirname } from 'node:path';

interface Entry {
  value: unknown;
  /** Milliseconds since the epoch; absent for entries that never expire. */
  expiresAt?: number;
}

/** Persisted key-value store; values must be JSON-serialisable. */
export class FileStore {
  readonly #path: string;
  readonly #entries = new Map<string, Entry>();
  #pending: Promise<void> | undefined;
  #dirty = false;
  #closed = false;

  constructor(path: string) {
    this.#path = path;
    mkdirSync(dirname(path), { recursive: true });
    this.#load();
  }

  /** The value under `key`, or undefined when absent or expired. */
  get<T>(key: string): T | undefined {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt !== undefined && entry.expiresAt <= Date.now()) {
      this.delete(key);
      return undefined;
    }
    return entry.value as T;
  }

  /** Stores `value` under `key`, expiring after `ttlSeconds` when given. */
  set(key: string, value: unknown, ttlSeconds?: number): void {
    const entry: Entry = { value };
    if (ttlSeconds !== undefined) entry.expiresAt = Date.now() + ttlSeconds * 1000;
    this.#entries.set(key, entry);
    this.#scheduleSave();
  }

  /** Removes `key`. */
  delete(key: string): void {
    if (this.#entries.delete(key)) this.#scheduleSave();
  }

  /** Stops scheduled writes, waits for the one in flight, and writes what is left. */
  async close(): Promise<void> {
    this.#closed = true;
    while (this.#pending) await this.#pending;
    if (this.#dirty) this.#saveSync();
  }

  #load(): void {
    let text: string;
    try {
      text = readFileSync(this.#path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    const now = Date.now();
    const stored = JSON.parse(text) as Record<string, Entry>;
    for (const [key, entry] of Object.entries(stored)) {
      if (entry.expiresAt === undefined || entry.expiresAt > now) this.#entries.set(key, entry);
    }
  }

  // Unique per write: two stores on one folder (a restart in the same process) never share a temp file.
  #tempPath(): string {
    return `${this.#path}.${process.pid}.${randomUUID()}.tmp`;
  }

  #snapshot(): string {
    const now = Date.now();
    const live: Record<string, Entry> = {};
    for (const [key, entry] of this.#entries) {
      if (entry.expiresAt === undefined || entry.expiresAt > now) live[key] = entry;
    }
    return JSON.stringify(live);
  }

  #scheduleSave(): void {
    this.#dirty = true;
    if (this.#pending || this.#closed) return;
    this.#pending = new Promise<void>((resolve) => setImmediate(resolve))
      .then(async () => {
        this.#dirty = false;
        const temp = this.#tempPath();
        await writeFile(temp, this.#snapshot(), { mode: 0o600 });
        await rename(temp, this.#path);
        return true;
      })
      .catch((error: unknown) => {
        // Keep serving from memory; the next change tries again.
        console.error(`sandbox auth: could not save ${this.#path}:`, error);
        return false;
      })
      .then((saved) => {
        this.#pending = undefined;
        if (saved && this.#dirty && !this.#closed) this.#scheduleSave();
      });
  }

  #saveSync(): void {
    this.#dirty = false;
    const temp = this.#tempPath();
    writeFileSync(temp, this.#snapshot(), { mode: 0o600 });
    renameSync(temp, this.#path);
  }
}
