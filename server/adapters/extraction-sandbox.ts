// Reads uploaded speech files off the main thread: each file in a worker thread of its own, with a heap limit and a
// wall-clock limit that terminates it, so that no file (a zip bomb, a PDF of thousands of pages) can block the
// answers or exhaust the memory of the process. The worker's memory is released when it ends.

import type { Worker } from 'node:worker_threads';
import { productModule } from '../config.ts';
import { AppError, ERROR_CODES, type ErrorCode } from '../core/errors.ts';
import { SILENT_LOGGER, type Logger } from '../core/logger.ts';
import type { SplitSpeech } from '../core/paragraphs.ts';
import type { SpeechFingerprint } from '../core/speech-fingerprint.ts';
import type { ContentBounds, ExtractedSpeech, SpeechFile } from './speech-extraction.ts';
import { startWorkerThread } from './worker-thread.ts';

/** What reading one file may cost (`EXTRACTION_*`, `MAX_PDF_PAGES`, `MAX_INFLATED_MB`, `MAX_SPEECH_PARAGRAPHS`). */
export interface ExtractionLimits extends ContentBounds {
  /** Wall-clock time to read one file; the worker is terminated past it. */
  timeoutMs: number;
  /** Heap of the worker reading one file, in MB; past it the worker dies (and the file is refused). */
  maxMemoryMb: number;
  /** Speeches of more paragraphs are refused. */
  maxParagraphs: number;
}

/** A file as read: its text and format, its paragraphs and front matter, and its fingerprint for duplicates. */
export interface ReadSpeech extends ExtractedSpeech, SplitSpeech {
  fingerprint: SpeechFingerprint;
}

/** The message a worker receives: one file (its bytes transferred) and the bounds to read it within. */
export interface ExtractionJob extends Omit<SpeechFile, 'bytes'> {
  bytes: ArrayBuffer;
  bounds: ContentBounds & { maxParagraphs: number };
}

/** What a worker says: ready for a file, the file read, or why it was not. */
export type WorkerReply = { type: 'ready' } | { type: 'done'; speech: ReadSpeech } | { type: 'failed'; code: ErrorCode; message: string };

/** Reads speech files in worker threads. */
export interface ExtractionSandbox {
  /**
   * Reads one file (files are read one at a time, in order). `signal` aborts it (shutdown).
   * @throws AppError as extractSpeechText does, `too_large` for a file that needs more memory or time than the
   *   limits, `too_large` for too many paragraphs, `busy` when aborted.
   */
  read(file: SpeechFile, options?: { signal?: AbortSignal }): Promise<ReadSpeech>;
  /** Keeps a worker started (its libraries loaded) for the next file, and again after each one. */
  warmUp(): void;
  /** Ends the spare worker and waits for the file being read, if any. */
  close(): Promise<void>;
}

/** A worker may take this long to start and load its modules (tsx transforms them on a cold start). */
const STARTUP_TIMEOUT_MS = 60_000;
const WORKER_URL = productModule('server/adapters/extraction-worker');

/** Libraries the worker loads before tsx is registered (see worker-thread.ts). */
const NATIVE_MODULES = ['pdfjs-dist/legacy/build/pdf.mjs', 'pdfjs-dist/legacy/build/pdf.worker.mjs', 'mammoth', 'linkedom', '@mozilla/readability'];

function spawnWorker(limits: ExtractionLimits): Worker {
  const worker = startWorkerThread(WORKER_URL, {
    nativeModules: NATIVE_MODULES,
    resourceLimits: { maxOldGenerationSizeMb: limits.maxMemoryMb, maxYoungGenerationSizeMb: Math.min(64, Math.max(8, limits.maxMemoryMb / 8)), stackSizeMb: 4 },
  });
  // Idle workers never keep the process alive; one reading a file is ref'd while it does.
  worker.unref();
  return worker;
}

/** Resolves with the worker's next reply; rejects when it dies, times out or the signal aborts. */
function nextReply(worker: Worker, timeout: { ms: number; error: AppError }, signal: AbortSignal | undefined): Promise<WorkerReply> {
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      clearTimeout(timer);
      worker.off('message', onMessage).off('error', onError).off('exit', onExit);
      signal?.removeEventListener('abort', onAbort);
    };
    const fail = (error: AppError) => {
      cleanup();
      reject(error);
    };
    const onMessage = (reply: WorkerReply) => {
      cleanup();
      resolve(reply);
    };
    const onError = (error: Error) => fail(workerFailure(error));
    const onExit = () => fail(new AppError('unreadable', 'the file could not be read (the reader stopped)'));
    const onAbort = () => fail(new AppError('busy', 'the server is shutting down; nothing was added; try again shortly'));
    const timer = setTimeout(() => fail(timeout.error), timeout.ms);
    worker.on('message', onMessage).on('error', onError).on('exit', onExit);
    if (signal?.aborted) onAbort();
    else signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** A worker's death as the error of the file it was reading. */
function workerFailure(error: Error): AppError {
  if ((error as NodeJS.ErrnoException).code === 'ERR_WORKER_OUT_OF_MEMORY') {
    return new AppError('too_large', 'the file needs more memory to read than is allowed; it is too large or too complex', { cause: error });
  }
  return new AppError('unreadable', `the file could not be read (${error.message})`, { cause: error });
}

/** Creates a sandbox reading files within `limits`. */
export function createExtractionSandbox(limits: ExtractionLimits, options: { log?: Logger } = {}): ExtractionSandbox {
  const log = options.log ?? SILENT_LOGGER;
  let spare: { worker: Worker; ready: Promise<WorkerReply> } | null = null;
  let warm = false;
  let closed = false;
  let tail: Promise<unknown> = Promise.resolve();

  const startWorker = () => {
    const worker = spawnWorker(limits);
    const ready = nextReply(worker, { ms: STARTUP_TIMEOUT_MS, error: new AppError('internal', 'the file reader did not start in time') }, undefined);
    // A spare that fails to start is replaced when it is needed; the failure belongs to that later read.
    ready.catch(() => {});
    return { worker, ready };
  };
  const keepSpare = () => {
    if (warm && !closed && spare === null) spare = startWorker();
  };

  async function readNow(file: SpeechFile, signal: AbortSignal | undefined): Promise<ReadSpeech> {
    if (closed) throw new AppError('busy', 'the server is shutting down; nothing was added; try again shortly');
    const { worker, ready } = spare ?? startWorker();
    spare = null;
    // The next spare starts now, so that a file queued behind this one does not wait for a worker to start.
    keepSpare();
    worker.ref();
    try {
      const greeting = await ready;
      if (greeting.type !== 'ready') throw new AppError('internal', 'the file reader did not start properly');
      const bytes = new Uint8Array(file.bytes).buffer;
      const bounds = { maxPdfPages: limits.maxPdfPages, maxInflatedBytes: limits.maxInflatedBytes, maxParagraphs: limits.maxParagraphs };
      const job: ExtractionJob = { fileName: file.fileName, format: file.format, charset: file.charset, bytes, bounds };
      const reply = nextReply(worker, { ms: limits.timeoutMs, error: new AppError('too_large', `the file takes more than ${Math.round(limits.timeoutMs / 1000)} s to read; it is too large or too complex`) }, signal);
      worker.postMessage(job, [bytes]);
      const result = await reply;
      if (result.type === 'done') return result.speech;
      if (result.type === 'failed') throw new AppError((ERROR_CODES as readonly string[]).includes(result.code) ? result.code : 'unreadable', result.message);
      throw new AppError('internal', 'the file reader answered out of turn');
    } finally {
      // Whatever happened, the worker and everything it allocated go.
      await worker.terminate().catch((error: unknown) => log.warn(`extraction: worker did not end cleanly: ${(error as Error).message}`));
    }
  }

  return {
    read(file, readOptions = {}) {
      const run = tail.then(() => readNow(file, readOptions.signal));
      tail = run.catch(() => {});
      return run;
    },
    warmUp() {
      warm = true;
      keepSpare();
    },
    async close() {
      closed = true;
      const idle = spare;
      spare = null;
      await idle?.worker.terminate();
      await tail;
    },
  };
}
