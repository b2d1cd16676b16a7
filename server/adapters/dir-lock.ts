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
 * Runs `work` while holding `<dir>/.lock`. A lock left by a process that no longer exists is taken over,
 * so a crash never blocks later writers.
 */
export async function withDirLock<T>(dir: string, work: () => Promise<T>, options: Partial<DirLockOptions> = {}): Promise<T> {
  const { timeoutMs, retryMs } = { ...DEFAULT_LOCK_OPTIONS, ...options };
  const lockPath = path.join(dir, '.lock');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const handle = await open(lockPath, 'wx');
      await handle.writeFile(String(process.pid));
      await handle.close();
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number.parseInt(await readFile(lockPath, 'utf8').catch(() => ''), 10);
      // An empty lock file may be one being written right now; only a dead pid is safe to take over.
      if (Number.isInteger(holder) && holder > 0 && !isAlive(holder)) {
        await rm(lockPath, { force: true });
        continue;
      }
      if (Date.now() > deadline) throw new AppError('internal', `timed out waiting for the lock on ${dir} (held by pid ${holder})`);
      await new Promise((resolve) => setTimeout(resolve, retryMs));
    }
  }
  try {
    return await work();
  } finally {
    await rm(lockPath, { force: true });
  }
}
