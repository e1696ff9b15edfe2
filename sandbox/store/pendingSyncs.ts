/**
 * The transactions a store has applied in memory whose group commit has not reached the disk yet
 * (docs/decisions/090): what a caller must wait for before it may see them, and what to undo when a sync fails.
 */

/** Tracks commits in flight, oldest first. `T` is whatever the store needs to undo one transaction. */
export class PendingSyncs<T> {
  private readonly pending: T[] = [];
  private latest: Promise<void> = Promise.resolve();
  private failure: Error | undefined;

  /** The first sync failure, after which the store refuses writes. */
  get failed(): Error | undefined {
    return this.failure;
  }

  /** Notes a transaction whose commit settles with `synced`. */
  track(transaction: T, synced: Promise<void>): void {
    this.pending.push(transaction);
    this.latest = synced;
    synced.then(
      () => {
        const index = this.pending.indexOf(transaction);
        if (index >= 0) this.pending.splice(index, 1);
      },
      () => undefined,
    );
  }

  /** Settles once every commit tracked so far is on disk (rejects if one failed). */
  onDisk(): Promise<void> {
    return this.latest;
  }

  /** After a failed sync: hands every transaction not on disk to `undo`, newest first, and remembers the failure. */
  undoAll(err: Error, undo: (transaction: T) => void): void {
    this.failure ??= err;
    for (const transaction of this.pending.splice(0).reverse()) undo(transaction);
    this.latest = Promise.resolve();
  }
}
