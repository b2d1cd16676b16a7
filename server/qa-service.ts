// The question-answering service: the corpus, the retriever in force, and the move from lexical to hybrid
// retrieval once a model loads. Wires core to adapters; HTTP, sockets and the command line all use it.

import { AppError, toAppError } from './core/errors.ts';
import { SILENT_LOGGER, type Logger } from './core/logger.ts';
import { passageKey, Retriever, type AskOptions, type RetrievalAnswer, type RetrievalOptions } from './core/retriever.ts';
import { isSpeechId } from './core/speech-meta.ts';
import type { Embedder, Passage, RetrievalMode, Speech, SpeechMeta } from './core/types.ts';
import { loadCorpus } from './adapters/corpus-folder.ts';
import { syncVectorIndex } from './adapters/vector-index.ts';

/** What `GET /api/health` reports. */
export interface QaStatus {
  status: 'ok';
  mode: RetrievalMode;
  /** The embedding model in use, or null in lexical mode. */
  model: string | null;
  speeches: number;
  paragraphs: number;
}

/** A speech in listings: its metadata and paragraph count. */
export interface SpeechSummary extends SpeechMeta {
  paragraphs: number;
}

/** A speech with its content paragraphs, as `GET /api/speeches/:id` returns it. */
export interface SpeechDocument {
  meta: SpeechMeta;
  paragraphs: Array<{ n: number; text: string }>;
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
  /** Resolves once the current attempt to load the model and its index has ended, in success or not. */
  modelSettled(): Promise<void>;
  /** Stops retrying the model. */
  close(): void;
}

/** Options for {@link openQaService}. */
export interface QaServiceOptions {
  corpusDir: string;
  indexDir: string;
  /** Loads the embedding model; null means lexical retrieval only. */
  loadEmbedder?: (() => Promise<Embedder>) | null;
  retrieval?: Partial<RetrievalOptions>;
  /** After a failed model load, try again after this many ms; 0 never retries. */
  modelRetryMs?: number;
  log?: Logger;
  /** Progress of embedding the corpus into the index. */
  onIndexProgress?: (progress: { done: number; total: number }) => void;
}

/** Flattens speeches into the passages that are retrieved and indexed. */
export function passagesOf(speeches: readonly Speech[]): Passage[] {
  return speeches.flatMap(({ meta, paragraphs }) =>
    paragraphs.map((p) => ({ key: passageKey(meta.id, p.n), speechId: meta.id, paragraph: p.n, text: p.text })),
  );
}

/**
 * Loads the corpus and starts answering at once with lexical retrieval; meanwhile loads the model and syncs the
 * vector index, then moves to hybrid retrieval without a restart. A failed load is logged and retried.
 */
export async function openQaService(options: QaServiceOptions): Promise<QaService> {
  const log = options.log ?? SILENT_LOGGER;
  const speeches = await loadCorpus(options.corpusDir, { log });
  const byId = new Map(speeches.map((speech) => [speech.meta.id, speech]));
  const listeners = new Set<(mode: RetrievalMode) => void>();
  let retriever = new Retriever({ speeches, options: options.retrieval });
  let model: string | null = null;
  let retryTimer: NodeJS.Timeout | null = null;
  let closed = false;
  const { loadEmbedder = null, modelRetryMs = 0 } = options;

  async function attemptModel(): Promise<void> {
    if (loadEmbedder === null) return;
    try {
      const embedder = await loadEmbedder();
      const { store } = await syncVectorIndex({
        dir: options.indexDir,
        embedder,
        passages: passagesOf(speeches),
        log,
        onProgress: options.onIndexProgress,
      });
      if (closed) return;
      retriever = new Retriever({ speeches, dense: { embedder, vectors: store }, options: options.retrieval });
      model = embedder.modelId;
      log.info(`mode: "hybrid" (model ${embedder.modelId}, ${embedder.dimension} dimensions)`);
      for (const listener of listeners) listener('hybrid');
    } catch (error) {
      const reason = toAppError(error).message;
      const retry = modelRetryMs > 0 && !closed ? `; trying again in ${Math.round(modelRetryMs / 1000)} s` : '';
      log.warn(`mode: "lexical": answering with keyword search only, because the model could not be used: ${reason}${retry}`);
      if (retry !== '') {
        retryTimer = setTimeout(() => {
          settled = attemptModel();
        }, modelRetryMs);
        retryTimer.unref();
      }
    }
  }

  if (loadEmbedder === null) log.info('mode: "lexical" (no model configured)');
  let settled = attemptModel();

  return {
    status: () => ({ status: 'ok', mode: retriever.mode, model, ...retriever.counts }),
    ask: (question, askOptions) => retriever.ask(question, askOptions),
    listSpeeches: () => speeches.map(({ meta, paragraphs }) => ({ ...meta, paragraphs: paragraphs.length })),
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
    modelSettled: () => settled,
    close() {
      closed = true;
      if (retryTimer !== null) clearTimeout(retryTimer);
    },
  };
}
