// Changing the corpus: adding a speech (extract, split, settle metadata, refuse duplicates, write, index only
// what is new), removing one, editing metadata. Every change runs under the corpus lock, shared with other
// processes; a failed add leaves corpus/ and index/ as they were. Used by the service and the command line.

import { listCorpus } from './adapters/corpus-folder.ts';
import { removeSpeechFiles, stageSpeech, takenStems, withCorpusLock, writeSpeechMetaFile, type AddStep } from './adapters/corpus-writer.ts';
import { createExtractionSandbox, type ExtractionLimits, type ReadSpeech } from './adapters/extraction-sandbox.ts';
import { wrapEmbedder } from './core/embedder-wrapper.ts';
import { plural } from './core/counts.ts';
import { DEFAULT_CONFIG } from './config.ts';
import { AppError } from './core/errors.ts';
import type { SpeechSummary } from './core/http-api.ts';
import { SILENT_LOGGER, type Logger } from './core/logger.ts';
import type { UnreadableMeta } from './core/front-matter.ts';
import type { DetectedMeta } from './core/paragraphs.ts';
import { DUPLICATE_SIMILARITY, fingerprintSimilarity, type SpeechFingerprint, type StoredFingerprint } from './core/speech-fingerprint.ts';
import { deriveSpeechId } from './core/speech-id.ts';
import { applyMetaPatch, requireComplete, settleSpeechMeta } from './core/speech-input.ts';
import { isSpeechId, type MetaField, type MetaFields } from './core/speech-meta.ts';
import type { Embedder, Speech, SpeechMeta } from './core/types.ts';
import type { SpeechFormat } from './core/source-formats.ts';
import { CorpusIndex, type IndexReport, type SearchSnapshot } from './corpus-index.ts';
import { openSpeechSource, type SourceFetching, type SpeechSource } from './speech-source.ts';

export type { SpeechFormat } from './core/source-formats.ts';
export type { SpeechSummary } from './core/http-api.ts';
export type { SpeechSource } from './speech-source.ts';

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
  index: Pick<IndexReport, 'embedded' | 'reused'> | null;
}

/** The corpus after a change, as the index gives it: speeches, keyword index, and vectors when a model was given. */
export interface CorpusState extends SearchSnapshot {}

export type { IndexReport } from './corpus-index.ts';

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
  /** Where adding from a web address may fetch, and what it may cost; the configuration's defaults when left out. */
  webFetch?: SourceFetching;
}

/** Changes the corpus folder and keeps the vector index in line. */
export interface CorpusEditor {
  /**
   * Loads the corpus from the index, after finishing any change a crashed writer left and indexing the speeches
   * whose files changed (only those are read).
   */
  load(): Promise<CorpusState>;
  /** {@link load}, and gives every speech vectors for the model; `index` says what that did. */
  refresh(options: IndexingOptions): Promise<CorpusState & { index: IndexReport }>;
  /**
   * Adds a speech. Nothing is written unless every check passes and indexing succeeds.
   * @throws AppError `unsupported_type`, `too_large`, `unreadable`, `bad_request` (missing or bad metadata),
   *   `duplicate` (naming the speech already there), `busy`, or the model's error while indexing; for a web
   *   address also `address_not_allowed` and `fetch_failed`.
   */
  add(
    input: AddSpeechInput,
    options: IndexingOptions & { onStep?: (step: AddSpeechStep) => void | Promise<void> },
  ): Promise<{ result: AddSpeechResult; state: (() => Promise<CorpusState>) | null }>;
  /**
   * Removes a speech from the corpus and the index, also one whose metadata file is invalid.
   * @throws AppError `bad_request`, `not_found`, `busy`, or `corpus_invalid` when another speech's metadata is.
   */
  remove(id: string, options: IndexingOptions): Promise<CorpusState>;
  /**
   * Edits a speech's metadata; its vectors are reused (they depend on its text only).
   * @throws AppError `bad_request`, `not_found`, `busy`.
   */
  updateMeta(id: string, patch: MetaFields, options: IndexingOptions): Promise<{ speech: SpeechSummary; state: CorpusState }>;
  /** Ends the file reader, after the file being read, if any. */
  close(): Promise<void>;
}

/** The metadata and paragraph count of a speech. */
export function summaryOf({ meta, paragraphs }: Speech): SpeechSummary {
  return { ...meta, paragraphs: paragraphs.length };
}

/** @throws AppError `duplicate` naming the first existing speech whose fingerprint the new one matches. */
function refuseDuplicate(fingerprint: SpeechFingerprint, existing: ReadonlyArray<{ speech: Pick<SpeechMeta, 'id' | 'title' | 'date'>; fingerprint: StoredFingerprint }>): void {
  for (const { speech: meta, fingerprint: other } of existing) {
    if (fingerprintSimilarity(fingerprint, other) >= DUPLICATE_SIMILARITY) {
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

  const index = new CorpusIndex({ corpusDir, indexDir, log });
  const fetching: SourceFetching = options.webFetch ?? { limits: DEFAULT_CONFIG.webFetch };

  /** Syncs the index with the corpus; the model's failures become `model_unavailable`, a shutdown stops it. */
  const sync = (indexing: IndexingOptions) =>
    index.update({
      embedder: indexing.embedder === null ? null : stoppingOn(failingAsUnavailable(indexing.embedder, log), indexing.signal),
      onProgress: indexing.onIndexProgress,
    });

  /** The speech `id` as the corpus folder lists it. @throws AppError `bad_request`, `not_found`. */
  async function requireListed(id: string): Promise<void> {
    if (!isSpeechId(id)) throw new AppError('bad_request', 'malformed speech id');
    if (!(await listCorpus(corpusDir)).some((files) => files.id === id)) throw new AppError('not_found', `no speech with id "${id}"`);
  }

  return {
    load: () =>
      readLocked(async () => (await sync({ embedder: null })).load()).catch(async (error: unknown) => {
        // A folder that cannot be written (the lock failed for it) is read as its index stands.
        if ((error as NodeJS.ErrnoException).code === 'EACCES' || (error as NodeJS.ErrnoException).code === 'EROFS') return index.load({ embedder: null });
        throw error;
      }),

    refresh: (indexing) =>
      readLocked(async () => {
        const { load, report } = await sync(indexing);
        return { ...(await load()), index: report };
      }),

    async add(input, indexing) {
      // Fetching and reading need nothing from the corpus and may take a while: done before the lock, reading in a worker.
      const source = await openSpeechSource(input.source, fetching, { signal: indexing.signal });
      const fileName = source.displayName;
      const read: ReadSpeech = await sandbox.read(source.file, { signal: indexing.signal });
      const { text, format, paragraphs, frontMatter, unreadable } = read;
      if (paragraphs.length === 0) throw new AppError('unreadable', `no paragraphs of speech text were found in ${fileName || 'the text'}`);
      const settled = settleSpeechMeta({ explicit: input.meta ?? {}, detected: frontMatter, unreadable, fileName, address: source.address });
      const dryRun = input.dryRun ?? false;
      if (!dryRun) requireComplete(settled);
      return locked(async () => {
        refuseDuplicate(read.fingerprint, await index.fingerprints());
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
        if (dryRun) return { result, state: null };

        const staged = await stageSpeech(corpusDir, { meta, text }, { onStep: indexing.onStep });
        try {
          const { load, report } = await sync(indexing);
          await indexing.onStep?.('indexed');
          await staged.commit();
          if (indexing.embedder !== null) result.index = { embedded: report.embedded, reused: report.reused };
          log.info(`corpus: added ${id} (${plural(paragraphs.length, 'paragraph', 'paragraphs')})`);
          return { result, state: load };
        } catch (error) {
          await staged.rollback();
          throw error;
        }
      });
    },

    remove: (id, indexing) =>
      locked(async () => {
        // A speech whose metadata file was broken (by hand) can still be removed: the one way out short of a text
        // editor. Any other broken speech stops the change when the index next reads it, as it stops every load.
        await requireListed(id);
        // Checked before anything is removed: another speech's broken metadata refuses the change.
        await index.update({ embedder: null, excused: id });
        await removeSpeechFiles(corpusDir, id);
        log.info(`corpus: removed ${id}`);
        // The corpus is the source of truth and the removal stands; an index that cannot follow is refreshed later.
        try {
          return (await sync(indexing)).load();
        } catch (error) {
          if (indexing.embedder === null) throw error;
          log.warn(`index: vectors not updated after removing ${id} (${(error as Error).message}); they are when the model next loads`);
          return (await sync({ embedder: null })).load();
        }
      }),

    updateMeta: (id, patch, indexing) =>
      locked(async () => {
        await requireListed(id);
        const current = (await (await sync({ embedder: null })).load()).speeches.find((speech) => speech.meta.id === id);
        if (current === undefined) throw new AppError('not_found', `no speech with id "${id}"`);
        const meta = applyMetaPatch(current.meta, patch);
        await writeSpeechMetaFile(corpusDir, meta);
        log.info(`corpus: edited the metadata of ${id}`);
        return { speech: summaryOf({ meta, paragraphs: current.paragraphs }), state: await (await sync(indexing)).load() };
      }),

    close: () => sandbox.close(),
  };
}
