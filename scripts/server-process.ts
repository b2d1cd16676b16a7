// Runs the real server (`server/main.ts`, as `npm start` does) in a child process on a copy of the corpus, for the
// load command and for tests that signal it: its URL once it serves, its memory, its log, and a way to stop it.

import { spawn, type ChildProcess } from 'node:child_process';
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PROJECT_ROOT } from '../server/config.ts';
import { processMemory } from './bench/process-memory.ts';

/** A server running in a child process. */
export interface ServerProcess {
  child: ChildProcess;
  /** e.g. `http://127.0.0.1:40123` */
  url: string;
  /** The retrieval mode it announced. */
  mode: string;
  /** The corpus and index folders it serves (a temporary copy). */
  corpusDir: string;
  indexDir: string;
  /** Everything it printed so far. */
  output(): string;
  /** Resolves with the exit code (and signal) once it has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Sends SIGKILL if it is still running and removes the temporary folders. */
  dispose(): Promise<void>;
}

/** Resident memory of a process in MB, or null where it cannot be read (no /proc). */
export async function residentMb(pid: number): Promise<number | null> {
  return (await processMemory(pid))?.rssMb ?? null;
}

/** CPU time a process has used so far (user and system) in ms, or null where it cannot be read (no /proc). */
export async function cpuMs(pid: number): Promise<number | null> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th, in ticks.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return null;
  }
}

/** Linux's USER_HZ, the unit of /proc/<pid>/stat times, is 100 on every common platform. */
const CLOCK_TICKS_PER_SECOND = 100;

/**
 * Starts `server/main.ts` with `env` over a minimal environment (PORT 0, HOST 127.0.0.1, a temporary copy of
 * `corpus/`, no model unless MODEL_DIR is given) and resolves once it serves.
 * @throws Error when it exits or stays silent for `timeoutMs` before serving.
 */
export async function startServerProcess(env: Record<string, string> = {}, options: { timeoutMs?: number } = {}): Promise<ServerProcess> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'idm-server-'));
  const corpusDir = path.join(root, 'corpus');
  const indexDir = path.join(root, 'index');
  await cp(path.join(PROJECT_ROOT, 'corpus'), corpusDir, { recursive: true });
  const modelless = env.MODEL_DIR === undefined ? { MODEL_ID: 'none' } : {};
  const rerankless = env.RERANK_MODEL_DIR === undefined ? { RERANK_MODEL_ID: 'none' } : {};
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(PROJECT_ROOT, 'server', 'main.ts')], {
    cwd: PROJECT_ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? os.tmpdir(), PORT: '0', HOST: '127.0.0.1', CORPUS_DIR: corpusDir, INDEX_DIR: indexDir, ALLOW_REMOTE_MODELS: 'false', ...modelless, ...rerankless, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const dispose = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
    await rm(root, { recursive: true, force: true });
  };
  // The server serves at once, with keywords; with a model, it is ready once it says it moved to hybrid mode.
  const ready = env.MODEL_DIR === undefined ? null : /mode: "hybrid"/;
  const serving = await new Promise<RegExpExecArray | null>((resolve) => {
    const timer = setTimeout(() => resolve(null), options.timeoutMs ?? 120_000);
    const look = () => {
      const match = /serving .* at (http:\/\/\S+) in mode: "(\w+)"/.exec(output);
      if (match === null || (ready !== null && !ready.test(output))) return;
      clearTimeout(timer);
      child.stdout.off('data', look);
      child.stderr.off('data', look);
      resolve(match);
    };
    // The log goes to either stream, depending on the level.
    child.stdout.on('data', look);
    child.stderr.on('data', look);
    void exited.then(() => {
      clearTimeout(timer);
      resolve(null);
    });
  });
  if (serving === null) {
    await dispose();
    throw new Error(`the server did not start:\n${output}`);
  }
  return { child, url: serving[1]!, mode: ready === null ? serving[2]! : 'hybrid', corpusDir, indexDir, output: () => output, exited, dispose };
}
