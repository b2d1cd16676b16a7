// The chat server as a user starts it: `npm start` in its own process, on a free loopback port, timed from the
// command to the first answer of `GET /api/health` (and, with a model, to the move to hybrid retrieval).

import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { HealthReply } from '../../server/core/http-api.ts';
import { isRecord } from '../../server/core/protocol.ts';
import { failureOf, lastLineOf, startProcess, type RunningProcess } from './child-process.ts';
import { largestProcessMemory, type ProcessMemory } from './process-memory.ts';

/** A started server and how long it took to answer. */
export interface StartedServer {
  url: string;
  /** From `npm start` to the first health reply. */
  toHealthMs: number;
  /** From `npm start` to a health reply in hybrid mode; null when not waited for. */
  toHybridMs: number | null;
  health: HealthReply;
  /** The server process's memory now. */
  memory(): Promise<ProcessMemory>;
  stop(): Promise<void>;
}

const START_POLL_MS = 25;
const HEALTH_TIMEOUT_MS = 2_000;
export const LOOPBACK = '127.0.0.1';

/** A port free on the loopback interface now (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, LOOPBACK, () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** One `GET /api/health`: the reply, or null when the server does not answer (yet) within `timeoutMs`. */
export async function fetchHealth(url: string, timeoutMs: number): Promise<HealthReply | null> {
  try {
    const response = await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(timeoutMs) });
    const body: unknown = await response.json();
    return response.ok && isRecord(body) && body.status === 'ok' ? (body as unknown as HealthReply) : null;
  } catch {
    return null;
  }
}

/** Polls health until `done` accepts a reply; throws when the server exits, the deadline passes or `signal` aborts. */
async function pollHealth(
  url: string,
  server: RunningProcess,
  options: { signal: AbortSignal; deadline: number; waitingFor: string; done: (health: HealthReply) => boolean },
): Promise<HealthReply> {
  let last: HealthReply | null = null;
  for (;;) {
    options.signal.throwIfAborted();
    if (server.hasExited()) {
      const run = await server.exited;
      throw new Error(`the server exited (${failureOf(run)}) before ${options.waitingFor}`);
    }
    if (performance.now() > options.deadline) {
      const said = last === null ? 'no health reply' : `health said mode "${last.mode}"`;
      throw new Error(`no ${options.waitingFor} in time (${said}); the server's last line: ${lastLineOf(server.output().stderr) ?? 'none'}`);
    }
    last = (await fetchHealth(url, HEALTH_TIMEOUT_MS)) ?? last;
    if (last !== null && options.done(last)) return last;
    await sleep(START_POLL_MS);
  }
}

/**
 * Runs `npm start` with `env` (its HOST and PORT set here) and waits for the health route; with `waitForHybrid`,
 * also for hybrid mode. Gives up with an error saying how far it got after `timeLimitMs`. Stops the server when
 * anything fails or `signal` aborts.
 */
export async function startProductServer(options: { env: NodeJS.ProcessEnv; waitForHybrid: boolean; timeLimitMs: number; signal: AbortSignal }): Promise<StartedServer> {
  const port = await freePort();
  const url = `http://${LOOPBACK}:${port}`;
  const started = performance.now();
  const deadline = started + options.timeLimitMs;
  const server = startProcess('npm', ['start'], { env: { ...options.env, HOST: LOOPBACK, PORT: String(port) } });
  const stop = async () => {
    await server.stop();
  };
  options.signal.addEventListener('abort', stop, { once: true });
  try {
    let health = await pollHealth(url, server, { signal: options.signal, deadline, waitingFor: 'answer to /api/health', done: () => true });
    const toHealthMs = performance.now() - started;
    let toHybridMs: number | null = null;
    if (options.waitForHybrid) {
      const waitingFor = `hybrid mode (health answered after ${(toHealthMs / 1000).toFixed(1)} s)`;
      health = await pollHealth(url, server, { signal: options.signal, deadline, waitingFor, done: (reply) => reply.mode === 'hybrid' });
      toHybridMs = performance.now() - started;
    }
    return { url, toHealthMs, toHybridMs, health, memory: () => largestProcessMemory(server.pid), stop };
  } catch (error) {
    await stop();
    throw error;
  } finally {
    options.signal.removeEventListener('abort', stop);
  }
}
