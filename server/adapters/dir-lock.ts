// An exclusive lock on a folder, shared between processes (the server and the command line) and between machines
// or containers sharing the folder, via a lock file that names its holder and is kept fresh by a heartbeat.

import { randomBytes } from 'node:crypto';
import { readlinkSync } from 'node:fs';
import { link, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { AppError } from '../core/errors.ts';
import { SILENT_LOGGER, type Logger } from '../core/logger.ts';

/** Options for {@link withDirLock}. */
export interface DirLockOptions {
  /** Give up after this long waiting for another holder. */
  timeoutMs: number;
  /** Poll interval while waiting. */
  retryMs: number;
  /** A lock file naming no holder is stale once it is this old. */
  emptyStaleMs: number;
  /**
   * A lock whose holder cannot be checked from here (another machine or container, whose pids mean nothing here)
   * is stale once its heartbeat is this old. The holder refreshes it every sixth of this.
   */
  staleMs: number;
  log: Logger;
  /** Who this process says it is in the lock; its real pid, host and pid namespace unless a test plays another. */
  holder: LockHolder;
}

/** Who holds a lock: a process, on a machine, in a pid namespace (a container has its own). */
export interface LockHolder {
  pid: number;
  host: string;
  /** The pid namespace (Linux `/proc/self/ns/pid`), or null where there is none to read. */
  pidNamespace: string | null;
}

function ownPidNamespace(): string | null {
  try {
    return readlinkSync('/proc/self/ns/pid');
  } catch {
    return null;
  }
}

/** This process, as it names itself in a lock. */
export const THIS_PROCESS: LockHolder = { pid: process.pid, host: os.hostname(), pidNamespace: ownPidNamespace() };

const DEFAULT_LOCK_OPTIONS: DirLockOptions = { timeoutMs: 120_000, retryMs: 50, emptyStaleMs: 5_000, staleMs: 30_000, log: SILENT_LOGGER, holder: THIS_PROCESS };

/** The content of a lock file held by `holder`. */
export function lockFileContent(holder: LockHolder): string {
  return `${JSON.stringify({ pid: holder.pid, host: holder.host, pidNamespace: holder.pidNamespace })}\n`;
}

/** The holder a lock file names; null when empty or unreadable. A bare pid (older versions) names no machine. */
function parseLockFile(text: string): LockHolder | null {
  if (/^\d+$/.test(text.trim())) return { pid: Number(text.trim()), host: '', pidNamespace: null };
  try {
    const value = JSON.parse(text) as Partial<LockHolder>;
    if (typeof value.pid !== 'number' || !Number.isInteger(value.pid) || value.pid <= 0 || typeof value.host !== 'string') return null;
    return { pid: value.pid, host: value.host, pidNamespace: typeof value.pidNamespace === 'string' ? value.pidNamespace : null };
  } catch {
    return null;
  }
}

/** True when `holder`'s pid can be checked by this process: same machine, same pid namespace. */
const isCheckableFrom = (holder: LockHolder, self: LockHolder): boolean => holder.host !== '' && holder.host === self.host && holder.pidNamespace === self.pidNamespace;

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
 * time per file, a lock file naming this process can only have been left by an earlier process that had the same
 * pid (pid 1 in a restarted container), and is stale.
 */
const queues = new Map<string, Promise<unknown>>();

/**
 * Runs `work` while holding `<dir>/.lock`, which names the holder (pid, host, pid namespace) and whose mtime the
 * holder refreshes as a heartbeat. A lock is taken over, by one waiting process only, when it is stale: its holder
 * is on this machine and dead, or (whoever it is) its heartbeat is older than `staleMs`, or it names no holder and
 * is older than `emptyStaleMs`. A pid seen from another machine or container is never trusted. Callers in one
 * process take turns before they touch the file.
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
 * Creates the lock file atomically, complete with its holder: written to a temporary file first, then hard-linked
 * into place, which fails when the lock exists. Returns the lock's inode, or null when it is held.
 */
async function tryCreate(lockPath: string, holder: LockHolder): Promise<number | null> {
  const temp = uniqueName(lockPath);
  await writeFile(temp, lockFileContent(holder), { flag: 'wx' });
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

/** The current lock: its inode, holder (null when empty or unreadable) and heartbeat age; null when it is gone. */
async function readLock(lockPath: string): Promise<{ ino: number; holder: LockHolder | null; ageMs: number } | null> {
  try {
    const [info, text] = await Promise.all([stat(lockPath), readFile(lockPath, 'utf8')]);
    return { ino: info.ino, holder: parseLockFile(text), ageMs: Date.now() - info.mtimeMs };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/** Whether a lock can be taken over now. */
function isStale(lock: { holder: LockHolder | null; ageMs: number }, options: DirLockOptions): boolean {
  const { holder, ageMs } = lock;
  // A lock without a holder cannot be made by tryCreate; once old enough it is a relic (of a crash before its
  // content reached the disk).
  if (holder === null) return ageMs > options.emptyStaleMs;
  // This process's own pid holds nothing (see `queues`); a dead pid on this machine holds nothing either.
  if (isCheckableFrom(holder, options.holder) && (holder.pid === options.holder.pid || !isAlive(holder.pid))) return true;
  // Anyone else, alive here or not checkable from here, holds the lock as long as its heartbeat goes on.
  return ageMs > options.staleMs;
}

/** A takeover guard older than this was left by a process that died while taking over (it is held for milliseconds). */
const GUARD_STALE_MS = 10_000;

/**
 * Removes the stale lock seen as `seen`, such that of several processes doing this at once only one removes it and
 * none removes a fresh lock created since: removal happens only while holding `<lock>.takeover` (created atomically),
 * after reading the lock again and finding it still the same stale file. Inode numbers are reused once a file is
 * gone, so the re-check looks at the holder too, not only the inode.
 */
async function takeOver(lockPath: string, seen: { ino: number }, options: DirLockOptions): Promise<void> {
  const guardPath = `${lockPath}.takeover`;
  const guardIno = await tryCreate(guardPath, options.holder);
  if (guardIno === null) {
    const guard = await readLock(guardPath);
    if (guard !== null && guard.ageMs > GUARD_STALE_MS) {
      options.log.warn(`lock: removing ${path.basename(guardPath)} left by ${describe(guard.holder)}`);
      await rm(guardPath, { force: true });
    }
    return;
  }
  try {
    const current = await readLock(lockPath);
    if (current !== null && current.ino === seen.ino && isStale(current, options)) await rm(lockPath, { force: true });
  } finally {
    await rm(guardPath, { force: true });
  }
}

function describe(holder: LockHolder | null): string {
  return holder === null ? 'an unknown process' : `pid ${holder.pid}${holder.host === '' ? '' : ` on ${holder.host}`}`;
}

/** Refreshes the lock's mtime while `ino` is still the lock; logs once if another process has taken it over. */
function startHeartbeat(lockPath: string, ino: number, options: DirLockOptions): () => void {
  let warned = false;
  const timer = setInterval(() => {
    void (async () => {
      const current = await stat(lockPath).catch(() => null);
      if (current === null || current.ino !== ino) {
        if (!warned) options.log.error(`lock: ${path.basename(lockPath)} was taken over by another process while held (no heartbeat for ${options.staleMs / 1000} s?)`);
        warned = true;
        return;
      }
      const now = new Date();
      await utimes(lockPath, now, now).catch(() => {});
    })();
  }, Math.max(10, options.staleMs / 6));
  timer.unref();
  return () => clearInterval(timer);
}

async function holdLock<T>(dir: string, lockPath: string, work: () => Promise<T>, options: DirLockOptions): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  let ownIno: number | null = null;
  while (ownIno === null) {
    ownIno = await tryCreate(lockPath, options.holder);
    if (ownIno !== null) break;
    const lock = await readLock(lockPath);
    if (lock === null) continue;
    if (isStale(lock, options)) {
      options.log.warn(`lock: taking over ${path.basename(dir)}/.lock left by ${describe(lock.holder)} (heartbeat ${Math.round(lock.ageMs / 1000)} s old)`);
      await takeOver(lockPath, lock, options);
      // Another contender holds the takeover: let it finish before looking again.
      await new Promise((resolve) => setTimeout(resolve, Math.min(options.retryMs, 10)));
      continue;
    }
    // `busy` reaches HTTP clients, so it names the folder, not its full path.
    if (Date.now() > deadline) {
      throw new AppError('busy', `another change is in progress (the lock on ${path.basename(dir)}/ is held by ${describe(lock.holder)}); try again shortly`);
    }
    await new Promise((resolve) => setTimeout(resolve, options.retryMs));
  }
  const stopHeartbeat = startHeartbeat(lockPath, ownIno, options);
  try {
    return await work();
  } finally {
    stopHeartbeat();
    // Only our own lock is removed: one taken over (its heartbeat missed) now belongs to someone else.
    const current = await readLock(lockPath).catch(() => null);
    if (current !== null && current.ino === ownIno) await rm(lockPath, { force: true });
  }
}
