// The question-answering service: the corpus, the retriever in force, the move from lexical to hybrid
// retrieval once a model loads, and changes to the corpus (from this process or, through a folder watch, from
// others). Wires core to adapters; HTTP, sockets and the command line all use it.

import { NO_MODEL_HINT } from './config.ts';
import { AppError, toAppError } from './core/errors.ts';
import type { HealthReply, SpeechDocument } from './core/http-api.ts';
import { SILENT_LOGGER, type Logger } from './core/logger.ts';
import type { AskOptions, RetrievalAnswer } from './core/retriever.ts';
import type { MetaFields } from './core/speech-meta.ts';
import { isSpeechId } from './core/speech-meta.ts';
import { prepareMetadataTerms } from './core/question-names.ts';
import { capitalise } from './core/sentence-case.ts';
import type { Embedder, Reranker, RetrievalMode, Speech, SynonymLookup } from './core/types.ts';
import { watchCorpus } from './adapters/corpus-watcher.ts';
import type { ExtractionLimits } from './adapters/extraction-sandbox.ts';
import { createCorpusEditor, summaryOf, type AddSpeechInput, type AddSpeechResult, type CorpusState, type SpeechSummary } from './corpus-editor.ts';
import { buildRetriever, prepareDense, type DenseSide, type RetrievalSettings } from './retrieval-stack.ts';
import type { SourceFetching } from './speech-source.ts';

export { passagesOf } from './core/passages.ts';
export type { AddSpeechInput, AddSpeechResult, SpeechSummary } from './corpus-editor.ts';

/** What `GET /api/health` reports. */
export type QaStatus = HealthReply;

/** How many speeches and paragraphs are searched, after a change to the corpus. */
export interface CorpusCounts {
  speeches: number;
  paragraphs: number;
}

/** The service every front end (HTTP, socket, command line) talks to. */
export interface QaService {
  status(): QaStatus;
  ask(question: string, options: AskOptions): Promise<RetrievalAnswer>;
  listSpeeches(): SpeechSummary[];
  /** @throws AppError `bad_request` for a malformed id, `not_found` for an unknown one. */
  getSpeech(id: string): SpeechDocument;
  /** Calls `listener` whenever the retrieval mode changes; returns the unsubscribe function. */
  onModeChange(listener: (mode: RetrievalMode) => void): () => void;
  /**
   * Adds a speech (or, with `dryRun`, reports what would be added) and answers from it at once.
   * @throws AppError `unsupported_type`, `too_large`, `unreadable`, `bad_request`, `duplicate`, `busy`,
   *   `address_not_allowed` or `fetch_failed` (a web address), or a model failure while indexing; in every case
   *   corpus/ and index/ are left as they were.
   */
  addSpeech(input: AddSpeechInput): Promise<AddSpeechResult>;
  /** Removes a speech from the corpus and the index. @throws AppError `bad_request`, `not_found`, `busy`. */
  removeSpeech(id: string): Promise<void>;
  /** Edits a speech's metadata (checked fields). @throws AppError `bad_request`, `not_found`, `busy`. */
  updateSpeechMeta(id: string, patch: MetaFields): Promise<SpeechSummary>;
  /**
   * Calls `listener` after the corpus changed (a speech added, removed or edited, here or by another process),
   * once questions are answered from the new corpus; returns the unsubscribe function.
   */
  onCorpusChange(listener: (counts: CorpusCounts) => void): () => void;
  /** Resolves once the current attempt to load the model and its index has ended, in success or not. */
  modelSettled(): Promise<void>;
  /**
   * Stops: no more changes, reloads or model retries; resolves once the work in progress (a change, a reload, an
   * index sync, a model load) has ended. A change still running after `abortChangesAfterMs` is stopped at its next
   * step and rolled back (an add leaves nothing behind). Questions are still answered meanwhile.
   */
  close(options?: { abortChangesAfterMs?: number }): Promise<void>;
}

/** Options for {@link openQaService}. */
export interface QaServiceOptions {
  corpusDir: string;
  indexDir: string;
  /** Loads the embedding model; null means lexical retrieval only. */
  loadEmbedder?: (() => Promise<Embedder>) | null;
  /** Loads the cross-encoder that reorders the best candidates; null or a failed load means no reranking. */
  loadReranker?: (() => Promise<Reranker>) | null;
  /** Loads the synonyms used to expand lexical queries; null or a failed load means no expansion. */
  loadSynonyms?: (() => Promise<SynonymLookup>) | null;
  /** The dense threshold and any constants that replace the defaults; by default calibrated and the defaults. */
  settings?: RetrievalSettings;
  /** After a failed model load, try again after this many ms; 0 never retries. */
  modelRetryMs?: number;
  log?: Logger;
  /** Progress of embedding the corpus into the index. */
  onIndexProgress?: (progress: { done: number; total: number }) => void;
  /** Reload when the corpus folder changes from outside, once it has been quiet this long; null never watches. */
  watch?: { debounceMs: number } | null;
  /** How long a change to the corpus waits for another writer before failing with `busy`. */
  lockTimeoutMs?: number;
  /** What reading an added file may cost; the configuration's defaults when left out. */
  extraction?: ExtractionLimits;
  /** Keep a file reader started for the next add (a server that takes uploads). */
  warmExtraction?: boolean;
  /** Where adding from a web address may fetch, and what it may cost; the configuration's defaults when left out. */
  webFetch?: SourceFetching;
}

/** How the service watches the corpus folder unless told otherwise. */
export const DEFAULT_CORPUS_WATCH = { debounceMs: 250 } as const;
const DEFAULT_LOCK_TIMEOUT_MS = 30_000;

/** Runs tasks one after another: corpus changes and index syncs of this process never overlap. */
function createSerialQueue(): <T>(task: () => Promise<T>) => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve();
  return (task) => {
    const run = tail.then(task, task);
    tail = run.catch(() => {});
    return run;
  };
}

/**
 * Loads the corpus and starts answering at once with lexical retrieval; meanwhile loads the model and syncs the
 * vector index, then moves to hybrid retrieval without a restart. A failed load is logged and retried.
 */
export async function openQaService(options: QaServiceOptions): Promise<QaService> {
  const log = options.log ?? SILENT_LOGGER;
  const editor = createCorpusEditor({
    corpusDir: options.corpusDir,
    indexDir: options.indexDir,
    log,
    lockTimeoutMs: options.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS,
    extraction: options.extraction,
    warmExtraction: options.warmExtraction,
    webFetch: options.webFetch,
  });
  const serial = createSerialQueue();
  let state: CorpusState = await editor.load();
  let byId = new Map(state.speeches.map((speech) => [speech.meta.id, speech]));
  const listeners = new Set<(mode: RetrievalMode) => void>();
  const corpusListeners = new Set<(counts: CorpusCounts) => void>();
  let dense: DenseSide | null = null;
  let reranker: Reranker | null = null;
  let synonyms: SynonymLookup | null = null;
  const settings: RetrievalSettings = options.settings ?? { fixedDenseThreshold: null, overrides: {} };
  const build = () => buildRetriever({ speeches: state.speeches, lexical: state.lexical, dense, reranker, synonyms, settings });
  let retriever = build();
  /** The speeches' metadata terms being prepared ahead of the first question (see warmNames). */
  let warming: Promise<void> = Promise.resolve();
  let retryTimer: NodeJS.Timeout | null = null;
  let closed = false;
  /** Aborted when a change must stop for shutdown: the add under way is rolled back at its next step. */
  const stopChanges = new AbortController();
  /** Runs a change in the queue, unless the service is closing. */
  const change = <T>(task: () => Promise<T>): Promise<T> =>
    serial(() => {
      if (closed) throw new AppError('busy', 'the server is shutting down; nothing was changed; try again shortly');
      return task();
    });
  const { loadEmbedder = null, loadReranker = null, loadSynonyms = null, modelRetryMs = 0 } = options;

  /** Puts a new corpus (and its vectors, when synced) in force, then tells listeners when the corpus changed. */
  async function install(next: CorpusState): Promise<void> {
    if (closed) return;
    // No vectors means the index could not follow (no model); the previous vectors answer for what they hold.
    // New vectors get a threshold of their own: a larger corpus offers off-topic questions more near misses.
    if (next.store !== null && dense !== null && next.store !== dense.vectors) dense = await prepareDense(dense.embedder, next.store, { settings, previous: dense, log });
    const changed = next.digest !== state.digest;
    state = next;
    byId = new Map(next.speeches.map((speech) => [speech.meta.id, speech]));
    retriever = build();
    warming = warming.then(() => warmNames(next.speeches, () => closed));
    if (!changed) return;
    for (const listener of corpusListeners) listener(retriever.counts);
  }

  const watch = options.watch === undefined ? DEFAULT_CORPUS_WATCH : options.watch;
  let reloadRetry: NodeJS.Timeout | null = null;

  /** Reloads the corpus after another process changed it; nothing happens when it is unchanged. */
  const reloadFromDisk = (): Promise<void> =>
    serial(async () => {
      if (closed) return;
      const next = dense === null ? await editor.load() : await editor.refresh({ embedder: dense.embedder, onIndexProgress: options.onIndexProgress, signal: stopChanges.signal });
      if (next.digest === state.digest && next.store === null) return;
      if (next.digest !== state.digest) log.info('corpus: changed on disk; reloaded');
      await install(next);
    }).catch((error: unknown) => {
      const appError = toAppError(error);
      log.warn(`corpus: not reloaded: ${appError.message}`);
      // A writer holding the lock this long (a large add) sends no further events when it is done: try again.
      if (appError.code === 'busy' && !closed && watch !== null) {
        reloadRetry = setTimeout(() => void reloadFromDisk(), watch.debounceMs);
        reloadRetry.unref();
      }
    });

  const watcher = watch === null ? null : watchCorpus(options.corpusDir, { debounceMs: watch.debounceMs, onChange: () => void reloadFromDisk(), log });

  /** Loads an optional helper model or resource; a failure only costs that feature. */
  async function loadOptional<T>(load: (() => Promise<T>) | null, what: string): Promise<T | null> {
    if (load === null) return null;
    try {
      return await load();
    } catch (error) {
      log.warn(`${what} unavailable, continuing without: ${toAppError(error).message}`);
      return null;
    }
  }

  async function attemptModel(): Promise<void> {
    if (loadEmbedder === null) return;
    try {
      const embedder = await loadEmbedder();
      reranker ??= await loadOptional(loadReranker, 'reranking');
      // Synced in the queue and from the corpus on disk, so that no add of this or another process is missed.
      await serial(async () => {
        const next = await editor.refresh({ embedder, onIndexProgress: options.onIndexProgress, signal: stopChanges.signal });
        if (closed || next.store === null) return;
        // The threshold is set before hybrid answers start, so no question meets an uncalibrated one.
        dense = await prepareDense(embedder, next.store, { settings, log });
        await install(next);
      });
      if (closed || dense === null) return;
      const reranking = reranker === null ? 'no reranking' : `reranking with ${reranker.modelId}`;
      log.info(`mode: "hybrid" (model ${embedder.modelId}, ${embedder.dimension} dimensions, ${reranking})`);
      for (const listener of listeners) listener('hybrid');
    } catch (error) {
      const reason = toAppError(error).message;
      const retry = modelRetryMs > 0 && !closed ? `; trying again in ${Math.round(modelRetryMs / 1000)} s` : '';
      log.warn(`mode: "lexical": answering with keyword search only, because the model could not be used: ${reason}${retry}. ${capitalise(NO_MODEL_HINT)}`);
      if (retry !== '') {
        retryTimer = setTimeout(() => {
          settled = attemptModel();
        }, modelRetryMs);
        retryTimer.unref();
      }
    }
  }

  synonyms = await loadOptional(loadSynonyms, 'query expansion');
  retriever = build();
  warming = warmNames(state.speeches, () => closed);
  if (loadEmbedder === null) log.info('mode: "lexical" (no model configured)');
  let settled = attemptModel();

  return {
    status: () => ({ status: 'ok', mode: retriever.mode, model: dense?.embedder.modelId ?? null, ...retriever.counts }),
    ask: (question, askOptions) => retriever.ask(question, askOptions),
    listSpeeches: () => state.speeches.map(summaryOf),
    getSpeech(id) {
      if (!isSpeechId(id)) throw new AppError('bad_request', 'malformed speech id');
      const speech = byId.get(id);
      if (speech === undefined) throw new AppError('not_found', `no speech with id "${id}"`);
      return { meta: speech.meta, paragraphs: speech.paragraphs.map(({ n, text }) => ({ n, text })) };
    },
    onModeChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    addSpeech: (input) =>
      change(async () => {
        const { result, state: next } = await editor.add(input, { embedder: dense?.embedder ?? null, onIndexProgress: options.onIndexProgress, signal: stopChanges.signal });
        if (next !== null) await install(await next());
        return result;
      }),
    removeSpeech: (id) =>
      change(async () => {
        await install(await editor.remove(id, { embedder: dense?.embedder ?? null }));
      }),
    updateSpeechMeta: (id, patch) =>
      change(async () => {
        const { speech, state: next } = await editor.updateMeta(id, patch, { embedder: dense?.embedder ?? null });
        await install(next);
        return speech;
      }),
    onCorpusChange(listener) {
      corpusListeners.add(listener);
      return () => corpusListeners.delete(listener);
    },
    modelSettled: () => settled,
    async close(closeOptions = {}) {
      closed = true;
      watcher?.close();
      if (reloadRetry !== null) clearTimeout(reloadRetry);
      if (retryTimer !== null) clearTimeout(retryTimer);
      const { abortChangesAfterMs } = closeOptions;
      const abortTimer = abortChangesAfterMs === undefined ? null : setTimeout(() => stopChanges.abort(), abortChangesAfterMs);
      try {
        // The model attempt may queue an index sync; the queue then holds every change and reload under way.
        await settled;
        await serial(async () => {});
        await warming;
        await editor.close();
      } finally {
        if (abortTimer !== null) clearTimeout(abortTimer);
      }
    },
  };
}

/** Prepares the speeches' metadata terms for the name index, 200 speeches per turn of the event loop. */
async function warmNames(speeches: readonly Speech[], isClosed: () => boolean): Promise<void> {
  for (let start = 0; start < speeches.length && !isClosed(); start += 200) {
    prepareMetadataTerms(speeches.slice(start, start + 200).map((speech) => speech.meta));
    await new Promise((resolve) => setImmediate(resolve));
  }
}
