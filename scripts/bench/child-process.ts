// Commands of the product run as a user runs them (`npm run index`, `npm start`): each in its own process group,
// so that stopping it (at the end, or when a step runs out of time) stops npm, tsx and the server beneath them.

import { spawn } from 'node:child_process';
import { PROJECT_ROOT } from '../../server/config.ts';

/** How a process ended, how long it ran, and the end of what it printed. */
export interface ProcessRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  ms: number;
  stdout: string;
  stderr: string;
}

/** A process that is running. */
export interface RunningProcess {
  pid: number;
  /** Settles when the process and every child holding its output have ended. */
  exited: Promise<ProcessRun>;
  /** True once it has exited. */
  hasExited(): boolean;
  /** What it printed so far (the last {@link OUTPUT_TAIL_CHARS} characters of each stream). */
  output(): { stdout: string; stderr: string };
  /** Asks the whole process group to end (SIGTERM), then kills what is left after a grace period. */
  stop(): Promise<ProcessRun>;
}

const OUTPUT_TAIL_CHARS = 64 * 1024;
const STOP_GRACE_MS = 5_000;

/** Starts `command args` in the project folder with exactly `env`, in a process group of its own. */
export function startProcess(command: string, args: readonly string[], options: { env: NodeJS.ProcessEnv }): RunningProcess {
  const started = performance.now();
  const child = spawn(command, args, { cwd: PROJECT_ROOT, env: options.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const tails = { stdout: '', stderr: '' };
  const keep = (stream: 'stdout' | 'stderr') => (chunk: Buffer) => {
    tails[stream] = (tails[stream] + chunk.toString()).slice(-OUTPUT_TAIL_CHARS);
  };
  child.stdout.on('data', keep('stdout'));
  child.stderr.on('data', keep('stderr'));
  let done = false;
  const exited = new Promise<ProcessRun>((resolve) => {
    child.once('error', (error) => {
      done = true;
      resolve({ code: null, signal: null, ms: performance.now() - started, stdout: tails.stdout, stderr: `${tails.stderr}${error.message}\n` });
    });
    child.once('close', (code, signal) => {
      done = true;
      resolve({ code, signal, ms: performance.now() - started, ...tails });
    });
  });
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, signal);
    } catch {
      // The group has already ended.
    }
  };
  return {
    pid: child.pid ?? -1,
    exited,
    hasExited: () => done,
    output: () => ({ ...tails }),
    async stop() {
      if (!done) signalGroup('SIGTERM');
      const timer = setTimeout(() => signalGroup('SIGKILL'), STOP_GRACE_MS);
      const run = await exited;
      clearTimeout(timer);
      // Grandchildren that closed their output early may outlive the leader.
      signalGroup('SIGKILL');
      return run;
    },
  };
}

/** Runs a command to its end, or stops it when `signal` aborts. */
export async function runProcess(command: string, args: readonly string[], options: { env: NodeJS.ProcessEnv; signal: AbortSignal }): Promise<ProcessRun> {
  const running = startProcess(command, args, { env: options.env });
  const onAbort = () => void running.stop();
  options.signal.addEventListener('abort', onAbort, { once: true });
  try {
    return await running.exited;
  } finally {
    options.signal.removeEventListener('abort', onAbort);
  }
}

/** The last line a command printed on `stream`, leaving out npm's own report of a failed script. */
export function lastLineOf(text: string): string | undefined {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '' && !/^npm (?:error|ERR!|warn|WARN)\b/.test(line))
    .at(-1)
    ?.trim();
}

/** How a failed command ended, with the last line it printed on stderr (where commands print their error). */
export function failureOf(run: ProcessRun): string {
  const how = run.signal === null ? `exit code ${run.code ?? '?'}` : `signal ${run.signal}`;
  return `${how}: ${lastLineOf(run.stderr) ?? lastLineOf(run.stdout) ?? 'no output'}`;
}
