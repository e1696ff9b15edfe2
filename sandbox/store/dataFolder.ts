/**
 * The store's files in its data folder: a snapshot (all versions, NDJSON) plus an append-only log of committed
 * transactions (one NDJSON line each). A commit is durable when its line is written and fdatasync'ed; a torn last
 * line (crash mid-write) is dropped on open, which makes every transaction all-or-nothing on disk too. Compaction
 * writes a new snapshot beside the old one, fsyncs it, renames it into place, then empties the log.
 * Group commit (docs/decisions/090): the lines of every commit that arrives while a sync runs are written and synced
 * together by the next one; each commit still resolves only after the sync that covers its own line. A failed write
 * or sync fails that group and every later commit (the log's tail is unknown): restart the sandbox to recover.
 * A lock file keeps two processes from writing the same folder.
 */
import { existsSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { mkdir, open, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Durability } from './SandboxRepository';
import { SerialQueue } from './serialQueue';
import type { VersionRecord } from './versionRecord';

const FORMAT = 'charttext-sandbox-fhir';
const FORMAT_VERSION = 1;
/** File names, prefixed so the folder can be shared with other sandbox parts. */
export const DATA_FILES = {
  snapshot: 'fhir-snapshot.ndjson',
  log: 'fhir-log.ndjson',
  lock: 'fhir.lock',
} as const;
/** Compact once the log holds this many bytes. */
const COMPACT_AFTER_BYTES = 16 * 1024 * 1024;

interface SnapshotHeader {
  format: string;
  version: number;
  /** The last log sequence number the snapshot includes. */
  seq: number;
}

interface LogLine {
  seq: number;
  w: readonly VersionRecord[];
}

const openFolders = new Set<string>();

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function acquireLock(dir: string): Promise<void> {
  if (openFolders.has(dir)) throw new Error(`The sandbox FHIR data folder ${dir} is already open in this process`);
  const lockPath = join(dir, DATA_FILES.lock);
  try {
    const owner = Number((await readFile(lockPath, 'utf8')).trim());
    if (owner && owner !== process.pid && processAlive(owner)) {
      throw new Error(`The sandbox FHIR data folder ${dir} is in use by process ${owner}; stop it first`);
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  await writeFile(lockPath, `${process.pid}\n`);
  openFolders.add(dir);
}

async function syncDirectory(dir: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch {
    // Not every platform can fsync a directory (Windows); the rename is still atomic there.
  } finally {
    await handle?.close();
  }
}

function parseLines(text: string, file: string): { lines: unknown[]; validLength: number } {
  const lines: unknown[] = [];
  let start = 0;
  let lineNo = 0;
  while (start < text.length) {
    const end = text.indexOf('\n', start);
    if (end < 0) break; // a torn last line: the crash happened before its newline, so it never committed
    lineNo++;
    const line = text.slice(start, end);
    if (line.trim() !== '') {
      try {
        lines.push(JSON.parse(line));
      } catch {
        throw new Error(`${file} line ${lineNo} is corrupt; run npm run sandbox:reset to start over`);
      }
    }
    start = end + 1;
  }
  return { lines, validLength: Buffer.byteLength(text.slice(0, start)) };
}

interface QueuedCommit {
  line: Buffer;
  resolve: () => void;
  reject: (err: Error) => void;
}

/** Writes all of `buffer` at the end of the file (a+ mode appends; a short write continues where it stopped). */
async function appendAll(file: FileHandle, buffer: Buffer): Promise<void> {
  let offset = 0;
  while (offset < buffer.length) {
    const { bytesWritten } = await file.write(buffer, offset, buffer.length - offset);
    offset += bytesWritten;
  }
}

/** The open data folder: implements the store's Durability. */
export class DataFolder implements Durability {
  /** The last sequence number on disk. */
  private seq: number;
  /** The last sequence number handed out (on disk or queued). */
  private assigned: number;
  private logBytes: number;
  private closed = false;
  /** Commits waiting for the next group write. */
  private queued: QueuedCommit[] = [];
  private flushScheduled = false;
  /** One disk operation at a time: group writes, snapshot rewrites, close. */
  private readonly disk = new SerialQueue();
  private failure: Error | undefined;
  private syncs = 0;

  private constructor(
    readonly dir: string,
    private log: FileHandle,
    seq: number,
    logBytes: number,
  ) {
    this.seq = seq;
    this.assigned = seq;
    this.logBytes = logBytes;
  }

  /** Opens (creating) the folder, locks it and recovers its versions; `records` is undefined when it holds no data. */
  static async open(dataDir: string): Promise<{ folder: DataFolder; records: VersionRecord[] | undefined }> {
    const dir = resolve(dataDir);
    await mkdir(dir, { recursive: true });
    await acquireLock(dir);
    try {
      const snapshotPath = join(dir, DATA_FILES.snapshot);
      const logPath = join(dir, DATA_FILES.log);
      let seq = 0;
      let records: VersionRecord[] | undefined;
      if (existsSync(snapshotPath)) {
        const { lines } = parseLines(await readFile(snapshotPath, 'utf8'), DATA_FILES.snapshot);
        const header = lines[0] as SnapshotHeader | undefined;
        if (header?.format !== FORMAT || header.version !== FORMAT_VERSION) {
          throw new Error(`${snapshotPath} is not a ${FORMAT} v${FORMAT_VERSION} snapshot; run npm run sandbox:reset`);
        }
        seq = header.seq;
        records = lines.slice(1) as VersionRecord[];
      }
      const logText = existsSync(logPath) ? await readFile(logPath, 'utf8') : '';
      const { lines, validLength } = parseLines(logText, DATA_FILES.log);
      for (const line of lines as LogLine[]) {
        if (line.seq <= seq) continue; // already in the snapshot (crash between snapshot rename and log truncation)
        records ??= [];
        for (const record of line.w) records.push(record);
        seq = line.seq;
      }
      const log = await open(logPath, 'a+');
      if (validLength < Buffer.byteLength(logText)) {
        await log.truncate(validLength);
        await log.datasync();
      }
      return { folder: new DataFolder(dir, log, seq, validLength), records };
    } catch (err) {
      openFolders.delete(dir);
      throw err;
    }
  }

  /** Removes the store's files from a folder that is not open anywhere (for reset). */
  static async wipe(dataDir: string): Promise<void> {
    const dir = resolve(dataDir);
    await mkdir(dir, { recursive: true });
    await acquireLock(dir);
    try {
      await rm(join(dir, DATA_FILES.snapshot), { force: true });
      await rm(join(dir, DATA_FILES.log), { force: true });
      await syncDirectory(dir);
    } finally {
      await rm(join(dir, DATA_FILES.lock), { force: true });
      openFolders.delete(dir);
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new Error(`The sandbox FHIR data folder ${this.dir} is closed`);
  }

  /** Queues the records as one log line; resolves once a sync has made that line durable. */
  commit(records: readonly VersionRecord[]): Promise<void> {
    this.assertOpen();
    if (this.failure) return Promise.reject(this.failure);
    const line = Buffer.from(`${JSON.stringify({ seq: ++this.assigned, w: records } satisfies LogLine)}\n`);
    return new Promise<void>((resolve, reject) => {
      this.queued.push({ line, resolve, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        void this.disk.run(() => this.flushQueued());
      }
    });
  }

  /** Writes every queued line with one write and one fdatasync, until none is left. */
  private async flushQueued(): Promise<void> {
    while (this.queued.length > 0) {
      const group = this.queued.splice(0);
      const buffer = Buffer.concat(group.map((commit) => commit.line));
      try {
        if (this.failure) throw this.failure;
        await appendAll(this.log, buffer);
        await this.log.datasync();
        this.syncs++;
      } catch (err) {
        this.failure ??= new Error(
          `The sandbox FHIR store could not write to ${this.dir} (${(err as Error).message}); ` +
            'writes are refused until the sandbox restarts',
        );
        for (const commit of group) commit.reject(this.failure);
        continue;
      }
      this.seq += group.length;
      this.logBytes += buffer.length;
      for (const commit of group) commit.resolve();
    }
    this.flushScheduled = false;
  }

  /** How many fdatasync calls made commits durable (fewer than commits when group commit worked). */
  syncCount(): number {
    return this.syncs;
  }

  /** True when the log holds commits not yet folded into the snapshot. */
  hasLog(): boolean {
    return this.logBytes > 0;
  }

  /** True when the log has grown enough to fold it into a new snapshot. */
  shouldCompact(): boolean {
    return this.logBytes > COMPACT_AFTER_BYTES;
  }

  /** Writes a new snapshot of `records` and empties the log, after every queued commit is on disk. */
  async rewrite(records: Iterable<VersionRecord>): Promise<void> {
    this.assertOpen();
    await this.disk.run(() => this.rewriteNow(records));
  }

  private async rewriteNow(records: Iterable<VersionRecord>): Promise<void> {
    if (this.failure) throw this.failure;
    const snapshotPath = join(this.dir, DATA_FILES.snapshot);
    const tmpPath = `${snapshotPath}.tmp`;
    const handle = await open(tmpPath, 'w');
    try {
      const header: SnapshotHeader = { format: FORMAT, version: FORMAT_VERSION, seq: this.seq };
      let chunk = `${JSON.stringify(header)}\n`;
      for (const record of records) {
        chunk += `${JSON.stringify(record)}\n`;
        if (chunk.length > 1 << 20) {
          await handle.write(chunk);
          chunk = '';
        }
      }
      await handle.write(chunk);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmpPath, snapshotPath);
    await syncDirectory(this.dir);
    await this.log.truncate(0);
    await this.log.datasync();
    this.logBytes = 0;
  }

  /** Waits for queued commits, then closes the log and releases the lock. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.disk.run(() => this.log.close());
    await rm(join(this.dir, DATA_FILES.lock), { force: true });
    openFolders.delete(this.dir);
  }
}
