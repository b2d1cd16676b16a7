// How every @xenova/transformers model of the product is loaded: from a local folder or the Hub through a project
// cache, one load at a time (transformers.js settings are global), with a stall watchdog, progress and clear errors.

import { stat } from 'node:fs/promises';
import path from 'node:path';
import { env } from '@xenova/transformers';
import { AppError } from '../core/errors.ts';
import type { ModelLoadProgress } from './model-progress.ts';
import { capitalise } from '../core/sentence-case.ts';

export { describeProgress, type ModelLoadProgress } from './model-progress.ts';

/** Where a model comes from and how to fetch it; the options every transformers adapter shares. */
export interface ModelSourceOptions {
  /**
   * Hub id of the model, e.g. `Xenova/all-MiniLM-L6-v2`; required unless `modelDir` is given.
   * With `modelDir` it only names the model (the id the adapter reports); it defaults to the folder's name.
   */
  modelId?: string;
  /** A local model folder (config.json, tokenizer files, onnx/); when set, nothing is downloaded or cached. */
  modelDir?: string | null;
  /** Where downloaded models are cached (inside the project, not node_modules). */
  cacheDir: string;
  /** Whether files missing from the cache may be downloaded. */
  allowRemote: boolean;
  /** Hub to download from; default `https://huggingface.co/` (a mirror must serve the same URL layout). */
  remoteHost?: string;
  /** Load `onnx/model_quantized.onnx` (default) instead of `onnx/model.onnx`. */
  quantized?: boolean;
  /** Give up when a file being fetched receives nothing for this long; default 30 000 ms. */
  stallTimeoutMs?: number;
  /** Called as files are read or downloaded, e.g. to draw a progress bar on first download. */
  onProgress?: (progress: ModelLoadProgress) => void;
}

/** The options to pass to every transformers.js `pipeline` or `from_pretrained` call of one load. */
export interface PretrainedOptions {
  quantized: boolean;
  local_files_only: boolean;
  progress_callback: (event: unknown) => void;
}

/** What {@link loadPretrained} needs besides the source. */
export interface PretrainedLoad<T> {
  /** The model's role in messages, e.g. `embedding` gives "Embedding model … could not be loaded". */
  role: string;
  /** Loads (and may probe) the model; it runs while no other load can touch transformers.js settings. */
  load: (repoId: string, options: PretrainedOptions) => Promise<T>;
}

/** What transformers.js resolves (`repoId` under `localRoot`, or in cache/hub when null), and what to report. */
interface LoadTarget {
  repoId: string;
  reportedId: string;
  localRoot: string | null;
  /** Where the model was looked for, for error messages. */
  origin: string;
}

const DEFAULT_STALL_TIMEOUT_MS = 30_000;
const DEFAULT_REMOTE_HOST = 'https://huggingface.co/';

// transformers.js keeps its settings in one module-global `env` that it reads while files are being
// fetched, so loads are serialised and each sets every `env` field it depends on before it starts.
let envLock: Promise<unknown> = Promise.resolve();

/**
 * Runs `spec.load` against the model `source` names and returns its result with the model id to report.
 *
 * With `modelDir`, the model is read only from that folder (no network, no cache) and the id is
 * `source.modelId` if given, else the folder's name. Otherwise `modelId` is looked up in `cacheDir`, and
 * downloaded into it when `allowRemote` is true.
 *
 * @throws {AppError} `model_unavailable` naming the model, where it was looked for and the cause (plus any
 *   warnings transformers.js printed) when anything fails; `config_invalid` when neither a model id nor a folder is given.
 */
export async function loadPretrained<T>(source: ModelSourceOptions, spec: PretrainedLoad<T>): Promise<{ loaded: T; modelId: string }> {
  const target = resolveTarget(source, spec.role);
  const fail = (cause: unknown, warnings: readonly string[] = []): AppError => {
    const context = warnings.length > 0 ? ` (reported while loading: ${warnings.join('; ')})` : '';
    const message = `${capitalise(spec.role)} model "${target.reportedId}" could not be loaded ${target.origin}: ${describeError(cause)}${context}`;
    return new AppError('model_unavailable', message, { cause });
  };

  if (target.localRoot !== null) {
    // Checked up front: transformers.js would only name the first file it misses.
    const folder = path.join(target.localRoot, target.repoId);
    if (!(await stat(folder).then((s) => s.isDirectory(), () => false))) {
      throw fail(new Error(`model folder ${folder} does not exist`));
    }
  }

  const loaded = await withEnvLock(async () => {
    // Inside the lock, so captures never nest and console.warn is always restored to the real one.
    const warnings = captureWarnings();
    const watchdog = new StallWatchdog(source.stallTimeoutMs ?? DEFAULT_STALL_TIMEOUT_MS);
    const forward = progressForwarder(source.onProgress);
    try {
      configureEnv(target, source);
      const loading = spec.load(target.repoId, {
        quantized: source.quantized ?? true,
        // Offline loads must fail at once on a missing file instead of falling through to the network.
        local_files_only: target.localRoot !== null || !source.allowRemote,
        progress_callback: (event: unknown) => {
          watchdog.observe(event);
          forward?.(event);
        },
      });
      // The load cannot be cancelled; if the watchdog gives up first, its eventual failure is moot.
      loading.catch(() => undefined);
      return await Promise.race([loading, watchdog.stalled]);
    } catch (error) {
      throw fail(error, warnings.take());
    } finally {
      watchdog.stop();
      warnings.release();
    }
  });
  return { loaded, modelId: target.reportedId };
}

/** The error's message plus its cause's (fetch reports `fetch failed` and hides the reason in `cause`). */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause;
  if (cause instanceof Error && !error.message.includes(cause.message)) return `${error.message} (${cause.message})`;
  return error.message;
}

function resolveTarget(source: ModelSourceOptions, role: string): LoadTarget {
  if (source.modelDir) {
    const folder = path.resolve(source.modelDir);
    const name = path.basename(folder);
    return { repoId: name, reportedId: source.modelId || name, localRoot: path.dirname(folder), origin: `from folder ${folder}` };
  }
  const repoId = source.modelId ?? '';
  if (repoId === '') throw new AppError('config_invalid', `No ${role} model configured: give a model id or a model folder.`);
  const cacheDir = path.resolve(source.cacheDir);
  const origin = source.allowRemote
    ? `from cache ${cacheDir} or ${source.remoteHost ?? DEFAULT_REMOTE_HOST}`
    : `from cache ${cacheDir} (downloads disabled; download it once with network access, or use a model folder)`;
  return { repoId, reportedId: repoId, localRoot: null, origin };
}

/** Sets every `env` field a load depends on, so no earlier load's settings leak into this one. */
function configureEnv(target: LoadTarget, source: ModelSourceOptions): void {
  const cacheDir = path.resolve(source.cacheDir);
  env.cacheDir = cacheDir;
  env.remoteHost = source.remoteHost ?? DEFAULT_REMOTE_HOST;
  // Never false together with allowRemoteModels: transformers.js then refuses even cached files.
  env.allowLocalModels = true;
  if (target.localRoot !== null) {
    env.localModelPath = target.localRoot;
    env.allowRemoteModels = false;
    // The cache is searched before localModelPath; a cached model of the folder's name must not shadow it.
    env.useFSCache = false;
  } else {
    // Local lookups then hit the cache's own files rather than transformers' node_modules/.../models/.
    env.localModelPath = cacheDir;
    env.allowRemoteModels = source.allowRemote;
    env.useFSCache = true;
  }
}

async function withEnvLock<T>(load: () => Promise<T>): Promise<T> {
  const run = envLock.then(load, load);
  envLock = run.catch(() => undefined);
  return run;
}

/**
 * Rejects `stalled` when a file is being fetched and no progress event arrives for `timeoutMs`.
 * Needed because Node's fetch waits up to 5 minutes for a server that accepts but never answers.
 */
class StallWatchdog {
  readonly stalled: Promise<never>;
  private readonly pending = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private reject: (error: Error) => void = () => undefined;

  constructor(private readonly timeoutMs: number) {
    this.stalled = new Promise<never>((_, reject) => (this.reject = reject));
    this.stalled.catch(() => undefined);
  }

  observe(event: unknown): void {
    const { status, file } = event as { status?: unknown; file?: unknown };
    if (typeof file !== 'string') return;
    if (status === 'done') this.pending.delete(file);
    else this.pending.add(file);
    clearTimeout(this.timer);
    if (this.pending.size === 0) return;
    this.timer = setTimeout(() => {
      const files = [...this.pending].join(', ');
      this.reject(new Error(`no data received for ${this.timeoutMs / 1000} s while fetching ${files}`));
    }, this.timeoutMs);
    this.timer.unref();
  }

  stop(): void {
    clearTimeout(this.timer);
  }
}

/**
 * Holds back `console.warn` while a load runs: transformers.js warns before it retries a broken model
 * with another backend, which is noise on success and the real cause on failure. `take()` hands the
 * warnings to the error message; `release()` restores console.warn and replays whatever was not taken.
 */
function captureWarnings(): { take: () => string[]; release: () => void } {
  const original = console.warn;
  let held: unknown[][] = [];
  console.warn = (...args: unknown[]) => void held.push(args);
  return {
    take: () => {
      const lines = held.map((args) => args.map((a) => (a instanceof Error ? a.message : String(a))).join(' ').split('\n')[0] ?? '');
      held = [];
      return [...new Set(lines)].filter((line) => !line.startsWith('Something went wrong during model construction')).slice(0, 3);
    },
    release: () => {
      console.warn = original;
      for (const args of held) original(...args);
    },
  };
}

/** Adapts transformers.js progress events (only those about a file) to {@link ModelLoadProgress}. */
function progressForwarder(onProgress: ModelSourceOptions['onProgress']): ((event: unknown) => void) | undefined {
  if (!onProgress) return undefined;
  const totals = new Map<string, number>();
  return (event) => {
    const e = event as { status?: unknown; file?: unknown; loaded?: unknown; total?: unknown };
    if (typeof e.file !== 'string' || typeof e.status !== 'string') return;
    const total = typeof e.total === 'number' ? e.total : (totals.get(e.file) ?? 0);
    totals.set(e.file, total);
    const loaded = typeof e.loaded === 'number' ? e.loaded : e.status === 'done' ? total : 0;
    onProgress({ file: e.file, loaded, total, status: e.status });
  };
}
