// The folder lock between real processes: a stale lock (dead pid, or empty and old) is taken over; when several
// processes find the same stale lock at once, they still hold it one at a time; and a lock held from another
// machine (a pid that means nothing here) is waited for while its heartbeat goes on, taken over once it stops.

import { spawn } from 'node:child_process';
import { appendFile, mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { lockFileContent, THIS_PROCESS, withDirLock } from '../../server/adapters/dir-lock.ts';
import { PROJECT_ROOT } from '../../server/config.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'idm-lock-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

/** The pid of a process that has exited. */
function deadPid(): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', '']);
    child.on('error', reject);
    child.on('exit', () => resolve(child.pid ?? 0));
  });
}

/** Runs `count` contender processes that all go for the lock at once; resolves with their log lines. */
async function race(count: number): Promise<string[]> {
  const goFile = path.join(dir, 'go');
  const logFile = path.join(dir, 'turns.log');
  const script = path.join(PROJECT_ROOT, 'tests', 'integration', 'fixtures', 'lock-contender.ts');
  const exits = Array.from({ length: count }, () => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, dir, goFile, logFile], { cwd: PROJECT_ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    return new Promise<void>((resolve, reject) => {
      child.on('error', reject);
      child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`contender exited with ${code}: ${stderr}`))));
    });
  });
  // Give every contender time to start and poll for the go file, so they meet the stale lock together.
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  await writeFile(goFile, '');
  await Promise.all(exits);
  const lines = (await readFile(logFile, 'utf8')).trim().split('\n');
  await rm(goFile);
  await rm(logFile);
  return lines;
}

describe('withDirLock', () => {
  it('takes over an empty lock file once it is older than the threshold, and waits for a fresh one', async () => {
    const lock = path.join(dir, '.lock');
    await writeFile(lock, '');
    await expect(withDirLock(dir, async () => 'got it', { timeoutMs: 150, retryMs: 10 })).rejects.toMatchObject({ code: 'busy' });
    const old = new Date(Date.now() - 60_000);
    await utimes(lock, old, old);
    await expect(withDirLock(dir, async () => 'got it', { timeoutMs: 2_000, retryMs: 10 })).resolves.toBe('got it');
    expect(await readdir(dir)).toEqual([]);
  });

  it('writes the holder (pid, host, pid namespace) into the lock and leaves no temporary files', async () => {
    const seen = await withDirLock(dir, async () => ({ lock: await readFile(path.join(dir, '.lock'), 'utf8'), files: await readdir(dir) }));
    expect({ ...seen, lock: JSON.parse(seen.lock) }).toEqual({ lock: { pid: process.pid, host: os.hostname(), pidNamespace: THIS_PROCESS.pidNamespace }, files: ['.lock'] });
    expect(await readdir(dir)).toEqual([]);
  });

  it('lets processes that find the same stale lock at once hold it one at a time', { timeout: 60_000 }, async () => {
    for (let round = 0; round < 3; round += 1) {
      await writeFile(path.join(dir, '.lock'), lockFileContent({ ...THIS_PROCESS, pid: await deadPid() }));
      const lines = await race(4);
      expect(lines).toHaveLength(8);
      for (let i = 0; i < lines.length; i += 2) {
        const pid = lines[i]?.split(' ')[1];
        // Every turn ends before the next one starts.
        expect([lines[i], lines[i + 1]]).toEqual([`start ${pid}`, `end ${pid}`]);
      }
      expect(await readdir(dir)).toEqual([]);
    }
  });

  it('never trusts a pid from another machine: waits while its heartbeat goes on, takes over once it stops', { timeout: 60_000 }, async () => {
    const logFile = path.join(dir, '..', `${path.basename(dir)}-turns.log`);
    const staleMs = 1_000;
    // The holder names a pid that is dead here (as a pid of another container would be) and another host.
    const claimed = await deadPid();
    const taker = { staleMs, timeoutMs: 20_000, retryMs: 20 };

    // 1. Held for 3 s (three times the stale age, heartbeat going): the taker waits its turn.
    const holder = startHolder(logFile, claimed, 3_000, staleMs);
    await holder.held;
    await withDirLock(dir, async () => {
      await appendFile(logFile, `taker start ${Date.now()}\n`);
    }, taker);
    await holder.exited;
    let turns = (await readFile(logFile, 'utf8')).trim().split('\n').map((line) => line.split(' '));
    expect(turns.map(([who, what]) => `${who} ${what}`)).toEqual(['holder start', 'holder end', 'taker start']);

    // 2. The holder dies holding the lock (SIGKILL: no release, no heartbeat): taken over once the heartbeat is stale.
    await rm(logFile);
    const dying = startHolder(logFile, claimed, 60_000, staleMs);
    await dying.held;
    await new Promise((resolve) => setTimeout(resolve, 2 * staleMs));
    const killedAt = Date.now();
    dying.child.kill('SIGKILL');
    await dying.exited;
    await withDirLock(dir, async () => {
      await appendFile(logFile, `taker start ${Date.now()}\n`);
    }, taker);
    turns = (await readFile(logFile, 'utf8')).trim().split('\n').map((line) => line.split(' '));
    expect(turns.map(([who, what]) => `${who} ${what}`)).toEqual(['holder start', 'taker start']);
    // Not before the heartbeat went quiet, and not much later than the stale age after that.
    const takenAfter = Number(turns[1]![2]) - killedAt;
    expect(takenAfter).toBeGreaterThanOrEqual(0);
    expect(takenAfter).toBeLessThan(staleMs + 5_000);
    await rm(logFile);
    expect(await readdir(dir)).toEqual([]);
  });
});

/** Starts a lock-holder process playing a process on another machine; `held` resolves once it holds the lock. */
function startHolder(logFile: string, claimedPid: number, holdMs: number, staleMs: number) {
  const script = path.join(PROJECT_ROOT, 'tests', 'integration', 'fixtures', 'lock-holder.ts');
  const child = spawn(process.execPath, ['--import', 'tsx', script, dir, logFile, String(claimedPid), String(holdMs), String(staleMs)], { cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  const held = new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('held')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`the holder exited (${code}) before holding the lock`)));
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return { child, held, exited };
}
