// Starts a worker thread from a TypeScript (or JavaScript) module. Worker threads do not inherit the main thread's
// tsx loader, so the worker registers its own, after loading the heavy libraries it names natively.

import { Worker, type ResourceLimits } from 'node:worker_threads';

/** Options of {@link startWorkerThread}. */
export interface WorkerThreadOptions {
  /** Passed to the module as `workerData.data`. */
  data?: unknown;
  resourceLimits?: ResourceLimits;
  /**
   * Packages the worker imports before tsx is registered, so that tsx never transforms them (for pdfjs that is
   * seconds and some 300 MB per worker, not all of it given back). Later imports of them hit the module cache.
   */
  nativeModules?: readonly string[];
}

/**
 * The worker's first code: loads the native modules, registers tsx in the worker when the entry is TypeScript,
 * then loads the entry. A failure to load is thrown in the worker, which reports it as an `error` event.
 */
const BOOTSTRAP = `
const { workerData } = require('node:worker_threads');
(async () => {
  for (const url of workerData.nativeModules) await import(url);
  if (workerData.tsx) (await import(workerData.tsx)).register();
  await import(workerData.entry);
})().catch((error) => { setImmediate(() => { throw error; }); });
`;

/** Starts `entry` (a module URL) in a worker thread; it reads its own options from `workerData.data`. */
export function startWorkerThread(entry: URL, options: WorkerThreadOptions = {}): Worker {
  return new Worker(BOOTSTRAP, {
    eval: true,
    workerData: {
      entry: entry.href,
      tsx: entry.pathname.endsWith('.ts') ? import.meta.resolve('tsx/esm/api') : null,
      nativeModules: (options.nativeModules ?? []).map((name) => import.meta.resolve(name)),
      data: options.data,
    },
    resourceLimits: options.resourceLimits,
    stdout: false,
    stderr: false,
  });
}
