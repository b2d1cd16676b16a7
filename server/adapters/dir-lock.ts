// An exclusive lock on a folder, shared between processes (the server and the command line), via a lock file.

import { randomBytes } from 'node:crypto';
import { link, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '../core/errors.ts';
import { SILENT_LOGGER, type Logger } from '../core/logger.ts';

/** Options for {@link withDirLock}. */
export interface DirLockOptions {
  /** Give up after this long waiting for another holder. */
  timeoutMs: number;
  /** Poll interval while waiting. */
  retryMs: number;
  /** A lock file naming no pid is stale once it is this old. */
  emptyStaleMs: number;
  log: Logger;
}

const DEFAULT_LOCK_OPTIONS: DirLockOptions = { timeoutMs: 120_000, retryMs: 50, emptyStaleMs: 5_000, log: SILENT_LOGGER };

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
 * Runs `work` while holding `<dir>/.lock`, which names the holder's pid. A lock left by a process that no longer
 * exists (or an empty one older than `emptyStaleMs`) is taken over, by one waiting process only, so a crash never
 * blocks later writers. Callers in one process take turns before they touch the file.
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

/** A unique name beside the lock, for this process's temporary files (`.tmp`: corpus recovery sweeps leftovers). */
const uniqueName = (lockPath: string): string => `${lockPath}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;

/**
 * Creates the lock file atomically, complete with this process's pid: written to a temporary file first, then
 * hard-linked into place, which fails when the lock exists. Returns the lock's inode, or null when it is held.
 */
async function tryCreate(lockPath: string): Promise<number | null> {
  const temp = uniqueName(lockPath);
  await writeFile(temp, String(process.pid), { flag: 'wx' });
  try {
    await link(temp, lockPath);
    return (await stat(temp)).ino;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // ENOENT: a holder's corpus recovery swept the temporary file between the write and the link.
    if (code === 'EEXIST' || code === 'ENOENT') return null;
    throw error;
  } finally {
    await rm(temp, { force: true });
  }
}

/** The current lock: its inode, the pid it names (null when empty or unreadable) and its age; null when it is gone. */
async function readHolder(lockPath: string): Promise<{ ino: number; pid: number | null; ageMs: number } | null> {
  try {
    const [info, text] = await Promise.all([stat(lockPath), readFile(lockPath, 'utf8')]);
    const pid = /^\d+$/.test(text.trim()) ? Number(text.trim()) : null;
    return { ino: info.ino, pid: pid !== null && pid > 0 ? pid : null, ageMs: Date.now() - info.mtimeMs };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/**
 * Removes the stale lock with inode `ino`, such that of several processes doing this at once only one removes it:
 * the lock is renamed aside (atomic, so one contender wins), and removed only if it is still the same file. A
 * contender that moved aside a fresh lock (created since it looked) puts it back.
 */
async function takeOver(lockPath: string, ino: number, log: Logger): Promise<void> {
  const aside = uniqueName(lockPath);
  try {
    await rename(lockPath, aside);
  } catch (error) {
    // Another contender moved it first.
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  if ((await stat(aside)).ino !== ino) {
    await link(aside, lockPath).catch((error: unknown) => {
      log.warn(`lock: could not put back ${path.basename(lockPath)} moved aside by mistake (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
    });
  }
  await rm(aside, { force: true });
}

async function holdLock<T>(dir: string, lockPath: string, work: () => Promise<T>, options: DirLockOptions): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  let ownIno: number | null = null;
  while (ownIno === null) {
    ownIno = await tryCreate(lockPath);
    if (ownIno !== null) break;
    const holder = await readHolder(lockPath);
    if (holder === null) continue;
    // A pid that is dead, or this process's own (see `queues`), holds nothing. A lock without a pid cannot be made
    // by tryCreate; once old enough it is a relic (of a crash before its content reached the disk).
    const stale = holder.pid === null ? holder.ageMs > options.emptyStaleMs : holder.pid === process.pid || !isAlive(holder.pid);
    if (stale) {
      await takeOver(lockPath, holder.ino, options.log);
      continue;
    }
    // `busy` reaches HTTP clients, so it names the folder, not its full path.
    if (Date.now() > deadline) {
      throw new AppError('busy', `another change is in progress (the lock on ${path.basename(dir)}/ is held by ${holder.pid === null ? 'an unknown process' : `pid ${holder.pid}`}); try again shortly`);
    }
    await new Promise((resolve) => setTimeout(resolve, options.retryMs));
  }
  try {
    return await work();
  } finally {
    // Only our own lock is removed: one taken over by mistake (never expected) now belongs to someone else.
    const current = await readHolder(lockPath).catch(() => null);
    if (current !== null && current.ino === ownIno) await rm(lockPath, { force: true });
  }
}
