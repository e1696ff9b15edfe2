import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, test } from 'vitest';
import { withBuildLock } from './buildLock';

describe('withBuildLock', () => {
  test('when two builds start at once, then one waits for the other', async () => {
    const lock = join(await mkdtemp(join(tmpdir(), 'charttext-lock-')), '.build.lock');
    const events: string[] = [];
    const build = (name: string) => async () => {
      events.push(`${name} start`);
      await sleep(50);
      events.push(`${name} end`);
      return name;
    };
    await expect(Promise.all([withBuildLock(lock, build('a')), withBuildLock(lock, build('b'))])).resolves.toEqual([
      'a',
      'b',
    ]);
    // Either may go first (file system timing); what matters is that they never overlap.
    const first = events[0]?.split(' ')[0];
    const second = first === 'a' ? 'b' : 'a';
    expect(events).toEqual([`${first} start`, `${first} end`, `${second} start`, `${second} end`]);
    await expect(readFile(lock)).rejects.toThrow(/ENOENT/);
  });

  test('when the lock was left by a process that is gone, then it is taken over', async () => {
    const lock = join(await mkdtemp(join(tmpdir(), 'charttext-lock-')), '.build.lock');
    await writeFile(lock, '2147483646');
    await expect(withBuildLock(lock, () => Promise.resolve('built'), 2_000)).resolves.toBe('built');
  });

  test('when a live process holds the lock past the timeout, then the error says which lock', async () => {
    const lock = join(await mkdtemp(join(tmpdir(), 'charttext-lock-')), '.build.lock');
    await writeFile(lock, String(process.pid));
    await expect(withBuildLock(lock, () => Promise.resolve('never'), 300)).rejects.toThrow(
      /Timed out waiting for .*build\.lock/,
    );
  });
});
