// Changing the corpus: adding a speech (extract, split, settle metadata, refuse duplicates, write, index only
// what is new), removing one, editing metadata. Every change runs under the corpus lock, shared with other
// processes; a failed add leaves corpus/ and index/ as they were. Used by the service and the command line.

import { createHash } from 'node:crypto';
import { loadCorpus } from './adapters/corpus-folder.ts';
import { removeSpeechFiles, stageSpeech, takenStems, withCorpusLock, writeSpeechMetaFile, type AddStep } from './adapters/corpus-writer.ts';
import { createExtractionSandbox, type ExtractionLimits, type ReadSpeech } from './adapters/extraction-sandbox.ts';
import type { SpeechFormat } from './adapters/speech-extraction.ts';
import { readIndexManifest, syncVectorIndex, type IndexSyncReport } from './adapters/vector-index.ts';
import { wrapEmbedder } from './core/embedder-wrapper.ts';
import { plural } from './core/counts.ts';
import { DEFAULT_CONFIG } from './config.ts';
import { AppError } from './core/errors.ts';
import type { SpeechSummary } from './core/http-api.ts';
import { SILENT_LOGGER, type Logger } from './core/logger.ts';
import type { UnreadableMeta } from './core/front-matter.ts';
import type { DetectedMeta } from './core/paragraphs.ts';
import { passagesOf } from './core/passages.ts';
import { DUPLICATE_SIMILARITY, fingerprintSimilarity, fingerprintSpeech, type SpeechFingerprint } from './core/speech-fingerprint.ts';
import { deriveSpeechId } from './core/speech-id.ts';
import { applyMetaPatch, requireComplete, settleSpeechMeta } from './core/speech-input.ts';
import { isSpeechId, type MetaField, type MetaFields } from './core/speech-meta.ts';
import { compareSpeeches } from './core/speech-order.ts';
import type { Embedder, Speech, SpeechMeta, VectorStore } from './core/types.ts';

/** The text of a new speech: an uploaded file, or text sent as is. */
export type SpeechSource = { fileName: string; bytes: Uint8Array } | { text: string; fileName?: string };

export type { SpeechFormat } from './adapters/speech-extraction.ts';
export type { SpeechSummary } from './core/http-api.ts';

/** What to add. */
export interface AddSpeechInput {
  source: SpeechSource;
  /** Values that win over what the text says. */
  meta?: MetaFields;
  /** Do everything but write (and embed): report what would be added. Duplicates are still refused. */
  dryRun?: boolean;
}

/** What an add did, or (dry run) would do. */
export interface AddSpeechResult {
  /** The speech as written (dry run: as it would be; `id` is `''` while the date is missing). */
  speech: SpeechSummary;
  /** What the text itself said: its header block or front matter. */
  detected: DetectedMeta;
  format: SpeechFormat;
  dryRun: boolean;
  /** Required fields still without a value; only ever non-empty in a dry run (a real add refuses instead). */
  missing: MetaField[];
  /** Of those, the ones the text named in a line whose value could not be read, with the value as written. */
  unreadable: UnreadableMeta;
  /** What indexing did, or null when there was no model (the index is brought up to date when one loads). */
  index: Pick<IndexSyncReport, 'embedded' | 'reused'> | null;
}

/** The corpus after a change, with the vectors to search it by when a model was given. */
export interface CorpusState {
  speeches: Speech[];
  store: VectorStore | null;
}

/** The model to index with (null: lexical only) and progress callbacks. */
export interface IndexingOptions {
  embedder: Embedder | null;
  onIndexProgress?: (progress: { done: number; total: number }) => void;
  /** Aborts the change at its next step (shutdown): an add is rolled back, reading a file stops. */
  signal?: AbortSignal;
}

/** The steps of an add a caller can observe: the writer's, then the index written, just before the commit. */
export type AddSpeechStep = AddStep | 'indexed';

/** Options of {@link createCorpusEditor}. */
export interface CorpusEditorOptions {
  corpusDir: string;
  indexDir: string;
  log?: Logger;
  /** How long a change waits for another writer before failing with `busy`. */
  lockTimeoutMs?: number;
  /** What reading an added file may cost; the configuration's defaults when left out. */
  extraction?: ExtractionLimits;
  /** Keep a file reader started for the next add (a server that takes uploads), rather than starting one per file. */
  warmExtraction?: boolean;
}

/** Changes the corpus folder and keeps the vector index in line. */
export interface CorpusEditor {
  /** Loads the corpus, after finishing any change a crashed writer left. */
  load(): Promise<Speech[]>;
  /**
   * Loads the corpus and brings the index in line with it when a model is given; `index` says what that did
   * (null without a model).
   */
  refresh(options: IndexingOptions): Promise<CorpusState & { index: IndexSyncReport | null }>;
  /**
   * Adds a speech. Nothing is written unless every check passes and indexing succeeds.
   * @throws AppError `unsupported_type`, `too_large`, `unreadable`, `bad_request` (missing or bad metadata),
   *   `duplicate` (naming the speech already there), `busy`, or the model's error while indexing.
   */
  add(input: AddSpeechInput, options: IndexingOptions & { onStep?: (step: AddSpeechStep) => void | Promise<void> }): Promise<{ result: AddSpeechResult; state: CorpusState }>;
  /**
   * Removes a speech from the corpus and the index, also one whose metadata file is invalid.
   * @throws AppError `bad_request`, `not_found`, `busy`, or `corpus_invalid` when another speech's metadata is.
   */
  remove(id: string, options: IndexingOptions): Promise<CorpusState>;
  /**
   * Edits a speech's metadata. The index holds no metadata, so its vectors stand as they are.
   * @throws AppError `bad_request`, `not_found`, `busy`.
   */
  updateMeta(id: string, patch: MetaFields): Promise<{ speech: SpeechSummary; speeches: Speech[] }>;
  /** Ends the file reader, after the file being read, if any. */
  close(): Promise<void>;
}

/** The metadata and paragraph count of a speech. */
export function summaryOf({ meta, paragraphs }: Speech): SpeechSummary {
  return { ...meta, paragraphs: paragraphs.length };
}

/** A digest of the corpus as retrieval sees it (metadata and paragraph texts), to tell whether it changed. */
export function corpusDigest(speeches: readonly Speech[]): string {
  const hash = createHash('sha256');
  for (const { meta, paragraphs } of speeches) hash.update(JSON.stringify([meta, paragraphs.map((p) => [p.text, p.start, p.end])]));
  return hash.digest('hex');
}

/** A source's file name and bytes; text sent as is goes through the same checks as a `.txt` file. */
function fileOf(source: SpeechSource): { fileName: string; bytes: Uint8Array; displayName: string } {
  if ('bytes' in source) return { fileName: source.fileName, bytes: source.bytes, displayName: source.fileName };
  const fileName = source.fileName ?? '';
  return { fileName: /\.(txt|md)$/i.test(fileName) ? fileName : 'text.txt', bytes: Buffer.from(source.text, 'utf8'), displayName: fileName };
}

/** @throws AppError `duplicate` naming the first existing speech whose fingerprint the new one matches. */
function refuseDuplicate(fingerprint: SpeechFingerprint, speeches: readonly Speech[]): void {
  for (const { meta, paragraphs: existing } of speeches) {
    if (fingerprintSimilarity(fingerprint, fingerprintSpeech(existing)) >= DUPLICATE_SIMILARITY) {
      throw new AppError('duplicate', `this speech is already in the corpus as "${meta.id}" ("${meta.title}", ${meta.date})`);
    }
  }
}

/** The embedder, failing before and after each batch once `signal` has aborted (the change is then undone). */
function stoppingOn(embedder: Embedder, signal: AbortSignal | undefined): Embedder {
  if (signal === undefined) return embedder;
  const check = () => {
    if (signal.aborted) throw new AppError('busy', 'the server is shutting down; the change was undone; try again shortly');
  };
  return wrapEmbedder(embedder, { before: check, after: check });
}

/** The embedder, with its failures reported as `model_unavailable`; details go to the log, which may show paths. */
function failingAsUnavailable(embedder: Embedder, log: Logger): Embedder {
  return wrapEmbedder(embedder, {
    mapError(error) {
      log.warn(`index: the model failed while embedding a new speech: ${(error as Error).message}`);
      return new AppError('model_unavailable', 'the model failed while indexing the new speech; nothing was added (details are in the server log)', { cause: error });
    },
  });
}

function findSpeech(speeches: readonly Speech[], id: string): Speech {
  if (!isSpeechId(id)) throw new AppError('bad_request', 'malformed speech id');
  const speech = speeches.find(({ meta }) => meta.id === id);
  if (speech === undefined) throw new AppError('not_found', `no speech with id "${id}"`);
  return speech;
}

/** Creates an editor of the corpus in `corpusDir` and the index in `indexDir`. */
export function createCorpusEditor(options: CorpusEditorOptions): CorpusEditor {
  const { corpusDir, indexDir } = options;
  const log = options.log ?? SILENT_LOGGER;
  const locked = <T>(work: () => Promise<T>): Promise<T> => withCorpusLock(corpusDir, work, { timeoutMs: options.lockTimeoutMs, log });
  /** Reads under the lock; a folder where no lock can be made (read-only, missing) is read as it is. */
  const readLocked = <T>(work: () => Promise<T>): Promise<T> =>
    locked(work).catch((error: unknown) => {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'EACCES' && code !== 'EROFS' && code !== 'EPERM' && code !== 'ENOENT') throw error;
      if (code !== 'ENOENT') log.warn(`corpus: ${corpusDir} is read-only (${code}); speeches can be read but not added or removed`);
      return work();
    });

  const sandbox = createExtractionSandbox(options.extraction ?? DEFAULT_CONFIG.extraction, { log });
  if (options.warmExtraction === true) sandbox.warmUp();

  async function syncIndex(speeches: readonly Speech[], indexing: IndexingOptions): Promise<{ store: VectorStore; report: IndexSyncReport } | null> {
    if (indexing.embedder === null) return null;
    const synced = await syncVectorIndex({ dir: indexDir, embedder: stoppingOn(indexing.embedder, indexing.signal), passages: passagesOf(speeches), log, onProgress: indexing.onIndexProgress });
    // Read the generation into memory now: the next write by any process deletes its folder.
    await synced.store.query(Array.from({ length: synced.store.dimension }, (_, i) => (i === 0 ? 1 : 0)), 1);
    return synced;
  }

  /** Drops the vectors of removed speeches without a model: every remaining vector is reused, none embedded. */
  async function pruneIndex(speeches: readonly Speech[]): Promise<void> {
    const manifest = await readIndexManifest(indexDir);
    if (manifest === null) return;
    const noModel = () => Promise.reject(new AppError('model_unavailable', 'no model loaded to embed with'));
    const reuseOnly: Embedder = { modelId: manifest.modelId, dimension: manifest.dimension, profile: manifest.profile, embedQueries: noModel, embedPassages: noModel };
    try {
      await syncVectorIndex({ dir: indexDir, embedder: reuseOnly, passages: passagesOf(speeches), log: SILENT_LOGGER });
    } catch (error) {
      log.warn(`index: left as it was until a model loads (${(error as Error).message})`);
    }
  }

  return {
    load: () => readLocked(() => loadCorpus(corpusDir, { log })),

    refresh: (indexing) =>
      readLocked(async () => {
        const speeches = await loadCorpus(corpusDir, { log });
        const synced = await syncIndex(speeches, indexing);
        return { speeches, store: synced?.store ?? null, index: synced?.report ?? null };
      }),

    async add(input, indexing) {
      // Reading needs nothing from the corpus and may take a while for a large PDF: done before the lock, in a worker.
      const file = fileOf(input.source);
      const fileName = file.displayName;
      const read: ReadSpeech = await sandbox.read(file, { signal: indexing.signal });
      const { text, format, paragraphs, frontMatter, unreadable } = read;
      if (paragraphs.length === 0) throw new AppError('unreadable', `no paragraphs of speech text were found in ${fileName || 'the text'}`);
      const settled = settleSpeechMeta({ explicit: input.meta ?? {}, detected: frontMatter, unreadable, fileName });
      const dryRun = input.dryRun ?? false;
      if (!dryRun) requireComplete(settled);
      return locked(async () => {
        const speeches = await loadCorpus(corpusDir, { log });
        refuseDuplicate(read.fingerprint, speeches);
        const id = settled.missing.includes('date') ? '' : deriveSpeechId({ ...settled.meta, taken: await takenStems(corpusDir) });
        const meta: SpeechMeta = { id, ...settled.meta };
        const result: AddSpeechResult = {
          speech: { ...meta, paragraphs: paragraphs.length },
          detected: frontMatter,
          format,
          dryRun,
          missing: settled.missing,
          unreadable: settled.unreadable,
          index: null,
        };
        if (dryRun) return { result, state: { speeches, store: null } };

        const staged = await stageSpeech(corpusDir, { meta, text }, { onStep: indexing.onStep });
        const next = [...speeches, { meta, paragraphs }].sort(compareSpeeches);
        try {
          const synced = await syncIndex(next, { ...indexing, embedder: indexing.embedder === null ? null : failingAsUnavailable(indexing.embedder, log) });
          await indexing.onStep?.('indexed');
          await staged.commit();
          if (synced !== null) result.index = { embedded: synced.report.embedded, reused: synced.report.reused };
          log.info(`corpus: added ${id} (${plural(paragraphs.length, 'paragraph', 'paragraphs')})`);
          return { result, state: { speeches: next, store: synced?.store ?? null } };
        } catch (error) {
          await staged.rollback();
          throw error;
        }
      });
    },

    remove: (id, indexing) =>
      locked(async () => {
        if (!isSpeechId(id)) throw new AppError('bad_request', 'malformed speech id');
        const broken = new Map<string, AppError>();
        const speeches = await loadCorpus(corpusDir, { log, onInvalid: (badId, error) => broken.set(badId, error) });
        // A speech whose metadata file was broken (by hand) can still be removed: the one way out short of a text
        // editor. Any other broken speech stops the change, as it stops every load.
        for (const [badId, error] of broken) if (badId !== id) throw error;
        if (!broken.has(id)) findSpeech(speeches, id);
        await removeSpeechFiles(corpusDir, id);
        const next = speeches.filter(({ meta }) => meta.id !== id);
        log.info(`corpus: removed ${id}`);
        // The corpus is the source of truth and the removal stands; an index that cannot follow is refreshed later.
        if (indexing.embedder === null) {
          await pruneIndex(next);
          return { speeches: next, store: null };
        }
        try {
          return { speeches: next, store: (await syncIndex(next, indexing))?.store ?? null };
        } catch (error) {
          log.warn(`index: not updated after removing ${id} (${(error as Error).message}); it is brought in line when the model next loads`);
          return { speeches: next, store: null };
        }
      }),

    updateMeta: (id, patch) =>
      locked(async () => {
        const speeches = await loadCorpus(corpusDir, { log });
        const speech = findSpeech(speeches, id);
        const meta = applyMetaPatch(speech.meta, patch);
        await writeSpeechMetaFile(corpusDir, meta);
        const edited = { meta, paragraphs: speech.paragraphs };
        const next = speeches.map((s) => (s.meta.id === id ? edited : s)).sort(compareSpeeches);
        log.info(`corpus: edited the metadata of ${id}`);
        return { speech: summaryOf(edited), speeches: next };
      }),

    close: () => sandbox.close(),
  };
}
