// Runs a command of the command line for real: a script of the project under tsx, or an npm script as a user types
// it, in its own process, with the environment given, collecting what it prints and how it exits.

import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';
import { PROJECT_ROOT } from '../../server/config.ts';

/** How a command ended and what it printed. */
export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `script` (relative to the project, e.g. `server/cli/list-speeches.ts`) with `args` and `env` added to this process's. */
export function runScript(script: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  return collect(spawn(process.execPath, ['--import', 'tsx', path.join(PROJECT_ROOT, script), ...args], { cwd: PROJECT_ROOT, env: { ...process.env, ...env } }));
}

/** Runs `npm run <name> -- <args>` from the project folder, as a user types it. */
export function runNpm(name: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  const dashes = args.length > 0 ? ['--', ...args] : [];
  return collect(spawn('npm', ['run', '--silent', name, ...dashes], { cwd: PROJECT_ROOT, env: { ...process.env, ...env } }));
}

function collect(child: ChildProcessWithoutNullStreams): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}
