// The Embedder backed by @xenova/transformers: loads a sentence-embedding model (from the Hugging Face Hub
// into a project cache, or fully offline from a model folder) and embeds texts with mean pooling + L2 norm.

import { stat } from 'node:fs/promises';
import path from 'node:path';
import { env, pipeline } from '@xenova/transformers';
import { AppError } from '../core/errors.ts';
import type { Embedder } from '../core/types.ts';

/** One progress event of a model load; `loaded`/`total` are bytes (0 when not known yet). */
export interface ModelLoadProgress {
  /** File inside the model repository, e.g. `onnx/model_quantized.onnx`. */
  file: string;
  loaded: number;
  total: number;
  /** transformers.js status: `initiate`, `download`, `progress` or `done`. */
  status: string;
}

/** Options of {@link loadTransformersEmbedder}. */
export interface TransformersEmbedderOptions {
  /**
   * Hub id of the model, e.g. `Xenova/all-MiniLM-L6-v2`; required unless `modelDir` is given.
   * With `modelDir` it only names the model (the id the embedder reports); it defaults to the folder's name.
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
  /** Texts per inference call; default 16. */
  batchSize?: number;
  /** Give up when a file being fetched receives nothing for this long; default 30 000 ms. */
  stallTimeoutMs?: number;
  /** Called as files are read or downloaded, e.g. to draw a progress bar on first download. */
  onProgress?: (progress: ModelLoadProgress) => void;
}

type Extractor = Awaited<ReturnType<typeof pipeline<'feature-extraction'>>>;

/** What transformers.js resolves (`repoId` under `localRoot`, or in cache/hub when null), and what to report. */
interface LoadTarget {
  repoId: string;
  reportedId: string;
  localRoot: string | null;
  /** Where the model was looked for, for error messages. */
  origin: string;
}

const DEFAULT_BATCH_SIZE = 16;
const DEFAULT_STALL_TIMEOUT_MS = 30_000;
const DEFAULT_REMOTE_HOST = 'https://huggingface.co/';
const PROBE_TEXT = 'dimension probe';

// transformers.js keeps its settings in one module-global `env` that it reads while files are being
// fetched, so loads are serialised and each sets every `env` field it depends on before it starts.
let envLock: Promise<unknown> = Promise.resolve();

/**
 * Loads a feature-extraction model and returns an {@link Embedder} over it.
 *
 * With `modelDir`, the model is read only from that folder (no network, no cache) and the embedder's
 * `modelId` is `options.modelId` if given, else the folder's name. Otherwise `modelId` is looked up in
 * `cacheDir`, and downloaded into it when `allowRemote` is true.
 *
 * @throws {AppError} `model_unavailable` naming the model and the cause when anything fails to load;
 *   `config_invalid` when neither a model id nor a folder is given, or `batchSize` is not a positive integer.
 */
export async function loadTransformersEmbedder(options: TransformersEmbedderOptions): Promise<Embedder> {
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new AppError('config_invalid', `Embedding batch size must be a positive integer, got ${batchSize}.`);
  }
  const target = resolveTarget(options);
  const fail = (cause: unknown, warnings: readonly string[] = []): AppError => {
    const context = warnings.length > 0 ? ` (reported while loading: ${warnings.join('; ')})` : '';
    const message = `Embedding model "${target.reportedId}" could not be loaded ${target.origin}: ${describeError(cause)}${context}`;
    return new AppError('model_unavailable', message, { cause });
  };

  if (target.localRoot !== null) {
    // Checked up front: transformers.js would only name the first file it misses.
    const folder = path.join(target.localRoot, target.repoId);
    if (!(await stat(folder).then((s) => s.isDirectory(), () => false))) {
      throw fail(new Error(`model folder ${folder} does not exist`));
    }
  }

  const { extractor, dimension } = await withEnvLock(async () => {
    // Inside the lock, so captures never nest and console.warn is always restored to the real one.
    const warnings = captureWarnings();
    const watchdog = new StallWatchdog(options.stallTimeoutMs ?? DEFAULT_STALL_TIMEOUT_MS);
    const forward = progressForwarder(options.onProgress);
    try {
      configureEnv(target, options);
      const loading = pipeline('feature-extraction', target.repoId, {
        quantized: options.quantized ?? true,
        // Offline loads must fail at once on a missing file instead of falling through to the network.
        local_files_only: target.localRoot !== null || !options.allowRemote,
        progress_callback: (event: unknown) => {
          watchdog.observe(event);
          forward?.(event);
        },
      });
      // The load cannot be cancelled; if the watchdog gives up first, its eventual failure is moot.
      loading.catch(() => undefined);
      const loaded = await Promise.race([loading, watchdog.stalled]);
      return { extractor: loaded, dimension: await discoverDimension(loaded) };
    } catch (error) {
      throw fail(error, warnings.take());
    } finally {
      watchdog.stop();
      warnings.release();
    }
  });
  return new TransformersEmbedder({ extractor, modelId: target.reportedId, dimension, batchSize });
}

/** One-line description of a progress event for a CLI, e.g. `onnx/model_quantized.onnx 5.1/22.9 MB (22%)`. */
export function describeProgress(progress: ModelLoadProgress): string {
  if (progress.status === 'done') return `${progress.file} done`;
  if (progress.total <= 0) return `${progress.file} ${progress.status}`;
  const mb = (bytes: number): string => (bytes / 1_000_000).toFixed(1);
  const percent = Math.floor((100 * progress.loaded) / progress.total);
  return `${progress.file} ${mb(progress.loaded)}/${mb(progress.total)} MB (${percent}%)`;
}

class TransformersEmbedder implements Embedder {
  readonly modelId: string;
  readonly dimension: number;
  private readonly extractor: Extractor;
  private readonly batchSize: number;

  constructor(init: { extractor: Extractor; modelId: string; dimension: number; batchSize: number }) {
    this.extractor = init.extractor;
    this.modelId = init.modelId;
    this.dimension = init.dimension;
    this.batchSize = init.batchSize;
  }

  async embed(texts: readonly string[]): Promise<number[][]> {
    const vectors: number[][] = [];
    for (let start = 0; start < texts.length; start += this.batchSize) {
      const batch = texts.slice(start, start + this.batchSize);
      try {
        vectors.push(...(await embedBatch(this.extractor, batch, this.dimension)));
      } catch (error) {
        throw new AppError('internal', `Embedding with model "${this.modelId}" failed: ${describeError(error)}`, { cause: error });
      }
    }
    return vectors;
  }
}

/** Runs one padded batch through the pipeline and splits the pooled [batch, dimension] tensor into rows. */
async function embedBatch(extractor: Extractor, texts: string[], dimension: number | null): Promise<number[][]> {
  const output = await extractor(texts, { pooling: 'mean', normalize: true });
  const [rows, columns] = output.dims;
  if (output.dims.length !== 2 || rows !== texts.length || columns === undefined || (dimension !== null && columns !== dimension)) {
    throw new Error(`unexpected output shape [${output.dims.join(', ')}] for ${texts.length} texts`);
  }
  const data = output.data as Float32Array;
  const vectors: number[][] = [];
  for (let row = 0; row < rows; row++) {
    const vector = Array.from(data.subarray(row * columns, (row + 1) * columns));
    // An all-zero pooled vector normalises to NaN; better to fail here than to poison an index.
    if (!vector.every(Number.isFinite)) throw new Error(`non-finite vector for text ${row + 1} of the batch`);
    vectors.push(vector);
  }
  return vectors;
}

/** The pooled vector length, cross-checked against `hidden_size` in config.json when it is present. */
async function discoverDimension(extractor: Extractor): Promise<number> {
  const [probe] = await embedBatch(extractor, [PROBE_TEXT], null);
  const dimension = probe?.length ?? 0;
  if (dimension < 1) throw new Error('the model returned an empty vector');
  const hiddenSize: unknown = (extractor.model.config as { hidden_size?: unknown } | undefined)?.hidden_size;
  if (typeof hiddenSize === 'number' && hiddenSize !== dimension) {
    throw new Error(`config.json says hidden_size ${hiddenSize} but the model returns ${dimension}-dimensional vectors`);
  }
  return dimension;
}

function resolveTarget(options: TransformersEmbedderOptions): LoadTarget {
  if (options.modelDir) {
    const folder = path.resolve(options.modelDir);
    const name = path.basename(folder);
    return { repoId: name, reportedId: options.modelId || name, localRoot: path.dirname(folder), origin: `from folder ${folder}` };
  }
  const repoId = options.modelId ?? '';
  if (repoId === '') throw new AppError('config_invalid', 'No embedding model configured: give a model id or a model folder.');
  const cacheDir = path.resolve(options.cacheDir);
  const origin = options.allowRemote
    ? `from cache ${cacheDir} or ${options.remoteHost ?? DEFAULT_REMOTE_HOST}`
    : `from cache ${cacheDir} (downloads disabled; download it once with network access, or use a model folder)`;
  return { repoId, reportedId: repoId, localRoot: null, origin };
}

/** Sets every `env` field a load depends on, so no earlier load's settings leak into this one. */
function configureEnv(target: LoadTarget, options: TransformersEmbedderOptions): void {
  const cacheDir = path.resolve(options.cacheDir);
  env.cacheDir = cacheDir;
  env.remoteHost = options.remoteHost ?? DEFAULT_REMOTE_HOST;
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
    env.allowRemoteModels = options.allowRemote;
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
function progressForwarder(onProgress: TransformersEmbedderOptions['onProgress']): ((event: unknown) => void) | undefined {
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

/** The error's message plus its cause's (fetch reports `fetch failed` and hides the reason in `cause`). */
function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause;
  if (cause instanceof Error && !error.message.includes(cause.message)) return `${error.message} (${cause.message})`;
  return error.message;
}
