// Graceful shutdown (SIGTERM): stop accepting, answer the questions already received, finish or roll back the change
// under way, close sockets with 1001, all within a bounded time.

import type { Logger } from './core/logger.ts';
import type { RunningServer } from './http/server.ts';
import type { QaService } from './qa-service.ts';

/** How a shutdown ended: everything finished, or the time ran out and the rest was dropped. */
export type ShutdownOutcome = 'clean' | 'timed_out';

/**
 * Shuts the server and the service down within `timeoutMs`. A change to the corpus still running at half the time
 * is stopped at its next step and rolled back; sockets and requests still open at three quarters are dropped.
 * Resolves `timed_out` when even that did not end everything in time (a crash-safe state either way: an add cut
 * short is undone at the next start).
 */
export async function shutDownGracefully(parts: { server: RunningServer; service: QaService; log: Logger }, options: { timeoutMs: number }): Promise<ShutdownOutcome> {
  const { server, service, log } = parts;
  const { timeoutMs } = options;
  const started = Date.now();
  log.info(`shutting down: no new connections; finishing questions and changes under way (at most ${(timeoutMs / 1000).toFixed(0)} s)`);
  const done = Promise.all([service.close({ abortChangesAfterMs: timeoutMs / 2 }), server.shutDown({ graceMs: (timeoutMs * 3) / 4 })]).then(() => 'clean' as const);
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timed_out'>((resolve) => {
    timer = setTimeout(() => resolve('timed_out'), timeoutMs);
  });
  const outcome = await Promise.race([done, timedOut]);
  clearTimeout(timer);
  if (outcome === 'clean') log.info(`shut down cleanly in ${Date.now() - started} ms`);
  else log.error(`shutdown did not finish within ${(timeoutMs / 1000).toFixed(0)} s; exiting anyway (an unfinished add is undone at the next start)`);
  return outcome;
}
