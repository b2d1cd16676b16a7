// An exclusive lock on a folder, shared between processes (the server and the command line), via a lock file.

import { open, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '../core/errors.ts';

/** Options for {@link withDirLock}. */
export interface DirLockOptions {
  /** Give up after this long waiting for another holder. */
  timeoutMs: number;
  /** Poll interval while waiting. */
  retryMs: number;
}

const DEFAULT_LOCK_OPTIONS: DirLockOptions = { timeoutMs: 120_000, retryMs: 50 };

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Callers of this process waiting for each lock file, in order. Process-wide on purpose: with one caller at a
 * time per file, a lock file naming this process's pid can only have been left by an earlier process that had
 * the same pid (pid 1 in a restarted container), and is stale.
 */
const queues = new Map<string, Promise<unknown>>();

/**
 * Runs `work` while holding `<dir>/.lock`. A lock left by a process that no longer exists is taken over,
 * so a crash never blocks later writers. Callers in one process take turns before they touch the file.
 */
export function withDirLock<T>(dir: string, work: () => Promise<T>, options: Partial<DirLockOptions> = {}): Promise<T> {
  // Resolved, so that two spellings of one folder share a queue.
  const lockPath = path.resolve(dir, '.lock');
  const previous = queues.get(lockPath) ?? Promise.resolve();
  const run = previous.then(() => holdLock(dir, lockPath, work, { ...DEFAULT_LOCK_OPTIONS, ...options }));
  const tail = run.catch(() => {});
  queues.set(lockPath, tail);
  void tail.then(() => {
    if (queues.get(lockPath) === tail) queues.delete(lockPath);
  });
  return run;
}

async function holdLock<T>(dir: string, lockPath: string, work: () => Promise<T>, options: DirLockOptions): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    try {
      const handle = await open(lockPath, 'wx');
      await handle.writeFile(String(process.pid));
      await handle.close();
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number.parseInt(await readFile(lockPath, 'utf8').catch(() => ''), 10);
      // An empty lock file may be one being written right now; only a dead pid (or this process's own, see
      // `queues`) is safe to take over.
      if (Number.isInteger(holder) && holder > 0 && (holder === process.pid || !isAlive(holder))) {
        await rm(lockPath, { force: true });
        continue;
      }
      // `busy` reaches HTTP clients, so it names the folder, not its full path.
      if (Date.now() > deadline) {
        throw new AppError('busy', `another change is in progress (the lock on ${path.basename(dir)}/ is held by pid ${holder}); try again shortly`);
      }
      await new Promise((resolve) => setTimeout(resolve, options.retryMs));
    }
  }
  try {
    return await work();
  } finally {
    await rm(lockPath, { force: true });
  }
}
