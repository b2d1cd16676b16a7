// Keeps index/ in line with corpus/ by reading only what changed (files are told apart by size and time), and
// loads what searching needs from it: speeches, keyword postings and vectors, segment by segment, each once.

import { createHash } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { listCorpus, readSpeech, speechFilesDigest, type SpeechFiles } from './adapters/corpus-folder.ts';
import {
  commitManifest,
  emptyManifest,
  newSegmentName,
  readManifest,
  removeUnreferenced,
  vectorTag,
  writeDurably,
  type IndexManifest,
  type SegmentEntry,
} from './adapters/index-store.ts';
import { Int8Block, quantizeRows } from './adapters/int8-vectors.ts';
import {
  encodeInt8,
  encodePostings,
  encodeFingerprints,
  encodeSpeeches,
  fingerprintsFile,
  postingsFile,
  readFingerprints,
  Float32RowFile,
  readInt8,
  readPostings,
  readSpeeches,
  readSpeechHeaders,
  speechesFile,
  textsFile,
  vectorFiles,
  type SpeechShingles,
  type StoredSpeech,
} from './adapters/segment-files.ts';
import { SegmentVectorStore, type VectorSegment } from './adapters/segment-vector-store.ts';
import { AppError } from './core/errors.ts';
import { buildLexicalPart, LexicalIndex, type LexicalPart } from './core/lexical-index.ts';
import { SILENT_LOGGER, type Logger } from './core/logger.ts';
import { passagesOf } from './core/passages.ts';
import { fingerprintSpeech, type StoredFingerprint } from './core/speech-fingerprint.ts';
import { compareSpeeches } from './core/speech-order.ts';
import type { Embedder, Passage, Speech, SpeechMeta, VectorStore } from './core/types.ts';

/** What searching the corpus needs, as loaded from the index. */
export interface SearchSnapshot {
  speeches: Speech[];
  lexical: LexicalIndex;
  /** The vectors for the model given to the last sync, or null. */
  store: VectorStore | null;
  /** Changes when what retrieval sees changes (a speech's text or metadata), and only then. */
  digest: string;
}

/** What a sync did. */
export interface IndexReport {
  /** Why the index was rebuilt from scratch, or null. */
  rebuiltBecause: string | null;
  /** Speeches read from corpus/ because they were new or changed. */
  read: number;
  embedded: number;
  reused: number;
  wrote: boolean;
}

/** What a sync is given: the model to give every segment vectors for (none: keywords only), and progress. */
interface SyncOptions {
  embedder: Embedder | null;
  onProgress?: (progress: { done: number; total: number }) => void;
  /** A speech whose metadata file may be invalid: left out rather than stopping the sync (it is being removed). */
  excused?: string;
}

/** Segments are merged once there are more than this many… */
const MAX_SEGMENTS = 24;
/** …or once this share of their passages belongs to removed or replaced speeches. */
const MAX_REMOVED_SHARE = 0.25;
/** Files of an older generation are kept this long for readers still answering from it. */
const GRACE_MS = 10 * 60_000;
/**
 * Texts embedded per call, unless told otherwise: the embedder sorts a call's texts by length, so larger calls pad
 * less (measured with bge-small at batch size 16: 128 per call builds 20-35% faster than 32, with the same answers on
 * the three question sets; `npm run bench` prints the table).
 */
const DEFAULT_BATCH_SIZE = 128;

/** A segment as loaded: its speeches, their passages and keyword postings, its vectors for one tag. */
interface LoadedSegment {
  speeches: StoredSpeech[];
  passages: Passage[];
  /** Each passage's text hash, in passage order. */
  hashes: string[];
  lexical: LexicalPart;
  vectors: { tag: string; segment: Omit<VectorSegment, 'removed'> } | null;
}

/** The index of one corpus folder; keeps the segments it has read, so each is read once per process. */
export class CorpusIndex {
  readonly #corpusDir: string;
  readonly #indexDir: string;
  readonly #log: Logger;
  readonly #batchSize: number;
  readonly #loaded = new Map<string, LoadedSegment>();
  /** Files written by the sync under way and the segments they belong to: removed again if it fails. */
  #written: Array<{ file: string; segment: string; vectors: boolean }> = [];

  /** `batchSize`: paragraphs embedded per call of the model. */
  constructor(options: { corpusDir: string; indexDir: string; log?: Logger; batchSize?: number }) {
    this.#corpusDir = options.corpusDir;
    this.#indexDir = options.indexDir;
    this.#log = options.log ?? SILENT_LOGGER;
    this.#batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  }

  /**
   * Brings the index in line with the corpus (the caller holds the corpus lock): speeches whose files are new or
   * changed are read and indexed in a new segment, removed ones are left out; with an embedder, every segment gets
   * vectors for it (reused by paragraph text when they exist). Then loads the result.
   * @throws AppError `corpus_invalid` for a speech with invalid metadata; the embedder's errors.
   */
  async sync(options: SyncOptions): Promise<{ snapshot: SearchSnapshot; report: IndexReport }> {
    const { report, load } = await this.update(options);
    try {
      return { snapshot: await load(), report };
    } catch (error) {
      if (!(error instanceof AppError) || error.code !== 'index_invalid') throw error;
      // A segment that cannot be read: the index is rebuilt from the corpus, its source of truth.
      this.#loaded.clear();
      const rebuilt = await this.#syncFrom(emptyManifest(), error.message, options);
      return { snapshot: await rebuilt.load(), report: rebuilt.report };
    }
  }

  /**
   * {@link sync}, without loading what searching needs: `load` does that (for the generation this update made),
   * which a process that only writes (`npm run add`) never needs to.
   */
  async update(options: SyncOptions): Promise<{ report: IndexReport; load: () => Promise<SearchSnapshot> }> {
    const existing = await readManifest(this.#indexDir);
    const problem = 'problem' in existing && existing.problem !== 'no index yet' ? existing.problem : null;
    try {
      return await this.#syncFrom('manifest' in existing ? existing.manifest : emptyManifest(), problem, options);
    } catch (error) {
      if (!(error instanceof AppError) || error.code !== 'index_invalid') throw error;
      // A segment that cannot be read: the index is rebuilt from the corpus, its source of truth.
      this.#loaded.clear();
      return this.#syncFrom(emptyManifest(), error.message, options);
    }
  }

  async #syncFrom(before: IndexManifest, rebuiltBecause: string | null, options: SyncOptions): Promise<{ report: IndexReport; load: () => Promise<SearchSnapshot> }> {
    this.#written = [];
    try {
      const result = await this.#update(before, rebuiltBecause, options);
      this.#written = [];
      return result;
    } catch (error) {
      await this.#discardWritten();
      throw error;
    }
  }

  /** Removes what a failed sync wrote, so that index/ is byte for byte as it was, and forgets it in memory. */
  async #discardWritten(): Promise<void> {
    for (const { file, segment, vectors } of this.#written) {
      await rm(file, { force: true });
      const loaded = this.#loaded.get(segment);
      loaded?.vectors?.segment.float32.close();
      if (!vectors) this.#loaded.delete(segment);
      else if (loaded !== undefined) loaded.vectors = null;
    }
    this.#written = [];
  }

  async #update(before: IndexManifest, rebuiltBecause: string | null, options: SyncOptions): Promise<{ report: IndexReport; load: () => Promise<SearchSnapshot> }> {
    if (rebuiltBecause !== null) this.#log.warn(`index: rebuilding from corpus because ${rebuiltBecause}`);
    const listing = await listCorpus(this.#corpusDir, { log: this.#log });
    const { manifest, read } = await this.#followCorpus(before, listing, options.excused);
    const compacted = await this.#compact(manifest);
    const vectors = options.embedder === null ? { embedded: 0, reused: 0 } : await this.#embed(compacted, options.embedder, options.onProgress);
    compacted.passages = compacted.segments.reduce((sum, s) => sum + s.passages, 0) - (await this.#removedPassages(compacted));
    if (options.embedder !== null) vectors.reused = Math.max(0, compacted.passages - vectors.embedded);
    const wrote = JSON.stringify(compacted) !== JSON.stringify(before) || rebuiltBecause !== null;
    if (wrote) {
      await commitManifest(this.#indexDir, compacted);
      // Committed: what was written is now the index, whatever happens next.
      this.#written = [];
      await removeUnreferenced(this.#indexDir, compacted, { graceMs: GRACE_MS });
    }
    const tag = options.embedder === null ? null : vectorTag(options.embedder);
    return { report: { rebuiltBecause, read, wrote, ...vectors }, load: () => this.#snapshot(compacted, tag) };
  }

  /** Loads the index as it stands, writing nothing (a read-only folder, or a reader following another writer). */
  async load(options: { embedder: Embedder | null }): Promise<SearchSnapshot> {
    const existing = await readManifest(this.#indexDir);
    if ('problem' in existing) throw new AppError('index_invalid', `index: cannot be read (${existing.problem})`);
    return this.#snapshot(existing.manifest, options.embedder === null ? null : vectorTag(options.embedder));
  }

  /** The fingerprint of every speech indexed, to refuse a duplicate. */
  async fingerprints(): Promise<Array<{ speech: Pick<SpeechMeta, 'id' | 'title' | 'date'>; fingerprint: StoredFingerprint }>> {
    const existing = await readManifest(this.#indexDir);
    if ('problem' in existing) return [];
    const result: Array<{ speech: Pick<SpeechMeta, 'id' | 'title' | 'date'>; fingerprint: StoredFingerprint }> = [];
    for (const entry of existing.manifest.segments) {
      const removed = new Set(entry.removed);
      for (const { speech, digest, shingles } of await this.#fingerprintsOf(entry.name)) {
        if (!removed.has(speech.id)) result.push({ speech, fingerprint: { digest, shingles } });
      }
    }
    return result;
  }

  /** A segment's fingerprints; made again from its speeches when the file cannot be read. */
  async #fingerprintsOf(name: string): Promise<SpeechShingles[]> {
    try {
      return await readFingerprints(this.#indexDir, name);
    } catch (error) {
      this.#log.warn(`index: fingerprints of ${name} made again (${(error as Error).message})`);
      return fingerprintsOf((await this.#segment(name)).speeches);
    }
  }

  /** Reads new and changed speeches into a new segment and marks removed and replaced ones. */
  async #followCorpus(before: IndexManifest, listing: readonly SpeechFiles[], excused: string | undefined): Promise<{ manifest: IndexManifest; read: number }> {
    const now = new Set(listing.map((files) => files.id));
    const corpus = Object.fromEntries(Object.entries(before.corpus).filter(([id]) => now.has(id)));
    // Files told apart by size and time; when only the time moved (a copy, a restore, a checkout), by their bytes.
    const changed: Array<SpeechFiles & { digest: string }> = [];
    for (const files of listing) {
      const known = before.corpus[files.id];
      if (known !== undefined && JSON.stringify([known.text, known.meta]) === JSON.stringify([files.text, files.meta])) continue;
      const digest = await speechFilesDigest(this.#corpusDir, files);
      if (known?.digest === digest) corpus[files.id] = { ...known, text: files.text, meta: files.meta };
      else changed.push({ ...files, digest });
    }
    const gone = new Set([...Object.keys(before.corpus).filter((id) => !now.has(id)), ...changed.map((files) => files.id)]);
    const segments: SegmentEntry[] = before.segments
      .map((entry) => ({ ...entry, removed: [...new Set([...entry.removed, ...entry.speechIds.filter((id) => gone.has(id))])] }))
      .filter((entry) => entry.removed.length < entry.speechIds.length);
    const fresh: StoredSpeech[] = [];
    for (const files of changed) {
      const speech = await readSpeech(this.#corpusDir, files, { log: this.#log }).catch((error: unknown) => {
        if (files.id === excused && error instanceof AppError && error.code === 'corpus_invalid') return null;
        throw error;
      });
      corpus[files.id] = { text: files.text, meta: files.meta, digest: files.digest };
      if (speech !== null) fresh.push(storedOf(speech));
    }
    if (fresh.length > 0) segments.push(await this.#writeSegment(fresh.sort((a, b) => compareSpeeches(a, b))));
    if (changed.length > 0) this.#log.info(`index: read ${changed.length} new or changed speech file(s) of ${listing.length}`);
    return { manifest: { ...before, segments, corpus }, read: changed.length };
  }

  /** Merges segments into one when there are many, or many of their speeches are gone; vectors move along. */
  async #compact(manifest: IndexManifest): Promise<IndexManifest> {
    const passages = manifest.segments.reduce((sum, s) => sum + s.passages, 0);
    const removedPassages = await this.#removedPassages(manifest);
    if (manifest.segments.length <= MAX_SEGMENTS && removedPassages <= MAX_REMOVED_SHARE * passages) return manifest;
    const live: StoredSpeech[] = [];
    for (const entry of manifest.segments) {
      const removed = new Set(entry.removed);
      live.push(...(await this.#segment(entry.name)).speeches.filter((s) => !removed.has(s.meta.id)));
    }
    const merged = await this.#writeSegment(live.sort((a, b) => compareSpeeches(a, b)));
    this.#log.info(`index: merged ${manifest.segments.length} segments into one (${merged.passages} paragraphs)`);
    // The merged segment has no vectors yet; those of the segments it replaces are reused for it.
    return { ...manifest, segments: [merged] };
  }

  async #removedPassages(manifest: IndexManifest): Promise<number> {
    let count = 0;
    for (const entry of manifest.segments) {
      if (entry.removed.length === 0) continue;
      const removed = new Set(entry.removed);
      for (const header of await this.#headers(entry.name)) if (removed.has(header.id)) count += header.paragraphs;
    }
    return count;
  }

  /** A segment's speeches as ids, paragraph counts and text hashes: from memory, or its small metadata file. */
  async #headers(name: string): Promise<Array<{ id: string; paragraphs: number; hashes: string[] }>> {
    const loaded = this.#loaded.get(name);
    const headers = loaded?.speeches ?? (await readSpeechHeaders(this.#indexDir, name));
    return headers.map(({ meta, paragraphs, hashes }) => ({ id: meta.id, paragraphs: paragraphs.length, hashes }));
  }

  /** Gives every segment vectors for `embedder`, reusing rows of the same tag by paragraph text. */
  async #embed(manifest: IndexManifest, embedder: Embedder, onProgress?: (progress: { done: number; total: number }) => void): Promise<{ embedded: number; reused: number }> {
    const tag = vectorTag(embedder);
    if (manifest.vectors !== null && manifest.vectors.tag !== tag) {
      this.#log.warn(`index: new vectors because the model changed (${manifest.vectors.modelId} → ${embedder.modelId})`);
      manifest.vectors = null;
    }
    // `vectors.segments` may still name segments merged or emptied since: their rows are reused, then forgotten.
    const done = new Set(manifest.vectors?.segments ?? []);
    const missing = manifest.segments.filter((entry) => !done.has(entry.name));
    const wanted = new Map<string, string>();
    for (const entry of missing) {
      const segment = await this.#segment(entry.name);
      segment.passages.forEach((p, i) => wanted.set(segment.hashes[i] ?? hashOf(p.text), p.text));
    }
    const known = await this.#knownRows(manifest, tag, new Set(wanted.keys()));
    const needed = new Map([...wanted].filter(([hash]) => !known.has(hash)));
    let embedded = 0;
    onProgress?.({ done: 0, total: needed.size });
    const entries = [...needed];
    for (let i = 0; i < entries.length; i += this.#batchSize) {
      const batch = entries.slice(i, i + this.#batchSize);
      const windows = await embedder.embedPassages(batch.map(([, text]) => text));
      batch.forEach(([hash], j) => known.set(hash, checkedWindows(windows[j], embedder.dimension)));
      embedded += batch.length;
      onProgress?.({ done: embedded, total: needed.size });
    }
    let rows = manifest.vectors?.rows ?? 0;
    for (const entry of missing) rows += await this.#writeVectors(entry.name, tag, known, embedder.dimension);
    const reused = missing.reduce((sum, entry) => sum + entry.passages, 0) - embedded;
    manifest.vectors = { tag, modelId: embedder.modelId, dimension: embedder.dimension, profile: embedder.profile, segments: manifest.segments.map((s) => s.name), rows };
    if (missing.length > 0) this.#log.info(`index: ${embedded} paragraph(s) embedded, ${Math.max(0, reused)} reused (model ${embedder.modelId})`);
    return { embedded, reused: Math.max(0, reused) };
  }

  /** The float32 rows of `tag` already in the index for paragraph texts of `hashes`: read, not embedded again. */
  async #knownRows(manifest: IndexManifest, tag: string, hashes: ReadonlySet<string>): Promise<Map<string, Float32Array[]>> {
    const known = new Map<string, Float32Array[]>();
    for (const name of manifest.vectors?.tag === tag ? manifest.vectors.segments : []) {
      // The segment's hashes first (a small file): most adds bring new texts, and then no vectors need reading.
      const segmentHashes = (await this.#headers(name)).flatMap((header) => header.hashes);
      if (!segmentHashes.some((hash) => hashes.has(hash) && !known.has(hash))) continue;
      const segment = await this.#segment(name, tag);
      if (segment.vectors === null) continue;
      const { owners, float32 } = segment.vectors.segment;
      // One passage per text: a text found twice (a repeated paragraph) has its windows once.
      const ownerOf = new Map<string, number>();
      const rows: number[] = [];
      owners.forEach((owner, row) => {
        const hash = segment.hashes[owner] ?? '';
        if (!hashes.has(hash) || known.has(hash) || (ownerOf.get(hash) ?? owner) !== owner) return;
        ownerOf.set(hash, owner);
        rows.push(row);
      });
      if (rows.length === 0) continue;
      const values = float32.read(rows);
      const found = new Map<string, Float32Array[]>();
      rows.forEach((row, i) => {
        const hash = segment.hashes[owners[row] ?? 0] ?? '';
        found.set(hash, [...(found.get(hash) ?? []), values[i] as Float32Array]);
      });
      for (const [hash, windows] of found) known.set(hash, windows);
    }
    return known;
  }

  /** Writes a segment's speeches and postings, durably, and returns its manifest entry. */
  async #writeSegment(speeches: StoredSpeech[]): Promise<SegmentEntry> {
    const name = newSegmentName();
    const passages = passagesOf(speeches);
    const lexical = buildLexicalPart(passages);
    const { json, texts } = encodeSpeeches(speeches);
    const fingerprints = fingerprintsOf(speeches);
    for (const [file, bytes] of [
      [speechesFile(this.#indexDir, name), json],
      [textsFile(this.#indexDir, name), texts],
      [fingerprintsFile(this.#indexDir, name), encodeFingerprints(fingerprints)],
      [postingsFile(this.#indexDir, name), encodePostings(lexical)],
    ] as const) {
      this.#written.push({ file, segment: name, vectors: false });
      await writeDurably(file, bytes);
    }
    this.#loaded.set(name, { speeches, passages, hashes: speeches.flatMap((s) => s.hashes), lexical, vectors: null });
    return { name, speechIds: speeches.map((s) => s.meta.id), removed: [], passages: passages.length };
  }

  /** Writes a segment's vectors from `known` rows; returns the number of rows. */
  async #writeVectors(name: string, tag: string, known: ReadonlyMap<string, Float32Array[]>, dimension: number): Promise<number> {
    const segment = await this.#segment(name);
    const owners: number[] = [];
    const rows: Float32Array[] = [];
    segment.passages.forEach((_, index) => {
      for (const row of known.get(segment.hashes[index] ?? '') ?? []) {
        owners.push(index);
        rows.push(row);
      }
    });
    const flat = new Float32Array(rows.length * dimension);
    rows.forEach((row, i) => flat.set(row, i * dimension));
    const files = vectorFiles(this.#indexDir, name, tag);
    const quantized = quantizeRows(flat, dimension);
    for (const [file, bytes] of [
      [files.float32, new Uint8Array(flat.buffer)],
      [files.int8, encodeInt8(quantized, Uint32Array.from(owners))],
    ] as const) {
      this.#written.push({ file, segment: name, vectors: true });
      await writeDurably(file, bytes);
    }
    segment.vectors = { tag, segment: { block: new Int8Block(quantized), owners: Uint32Array.from(owners), keys: segment.lexical.keys, speechIds: segment.lexical.speechIds, float32: new Float32RowFile(files.float32, quantized.dimension) } };
    return rows.length;
  }

  /** A segment, read on first use (its vectors too when `tag` is given and they exist). */
  async #segment(name: string, tag: string | null = null): Promise<LoadedSegment> {
    try {
      let segment = this.#loaded.get(name);
      if (segment === undefined) {
        const speeches = await readSpeeches(this.#indexDir, name);
        const lexical = await readPostings(postingsFile(this.#indexDir, name));
        segment = { speeches, passages: passagesOf(speeches), hashes: speeches.flatMap((s) => s.hashes), lexical, vectors: null };
        this.#loaded.set(name, segment);
      }
      if (tag !== null && segment.vectors?.tag !== tag) {
        segment.vectors?.segment.float32.close();
        const files = vectorFiles(this.#indexDir, name, tag);
        const { rows, owners } = await readInt8(files.int8);
        segment.vectors = { tag, segment: { block: new Int8Block(rows), owners, keys: segment.lexical.keys, speechIds: segment.lexical.speechIds, float32: new Float32RowFile(files.float32, rows.dimension) } };
      }
      return segment;
    } catch (error) {
      throw new AppError('index_invalid', `segment ${name} cannot be read (${(error as Error).message})`, { cause: error });
    }
  }

  /** Assembles what searching needs from the manifest's segments; forgets segments it no longer names. */
  async #snapshot(manifest: IndexManifest, tag: string | null): Promise<SearchSnapshot> {
    const withVectors = tag !== null && manifest.vectors?.tag === tag ? new Set(manifest.vectors.segments) : new Set<string>();
    const speeches: Speech[] = [];
    const digests: string[] = [];
    const parts: LexicalPart[] = [];
    const vectorSegments: VectorSegment[] = [];
    for (const entry of manifest.segments) {
      const segment = await this.#segment(entry.name, withVectors.has(entry.name) ? tag : null);
      const removedIds = new Set(entry.removed);
      const removed = new Set<number>();
      segment.passages.forEach((passage, index) => removedIds.has(passage.speechId) && removed.add(index));
      for (const stored of segment.speeches) {
        if (removedIds.has(stored.meta.id)) continue;
        speeches.push({ meta: stored.meta, paragraphs: stored.paragraphs });
        digests.push(`${stored.meta.id}\u0000${hashOf(JSON.stringify([stored.meta, stored.paragraphs.map((p) => [p.start, p.end]), stored.hashes]))}`);
      }
      parts.push({ ...segment.lexical, removed });
      if (segment.vectors !== null && withVectors.has(entry.name)) vectorSegments.push({ ...segment.vectors.segment, removed });
    }
    for (const [name, segment] of this.#loaded) {
      if (manifest.segments.some((s) => s.name === name)) continue;
      segment.vectors?.segment.float32.close();
      this.#loaded.delete(name);
    }
    const store = tag === null || manifest.vectors === null || manifest.vectors.tag !== tag ? null : new SegmentVectorStore({ modelId: manifest.vectors.modelId, dimension: manifest.vectors.dimension, segments: vectorSegments });
    const digest = createHash('sha256').update(digests.sort().join('\n')).digest('hex');
    return { speeches: speeches.sort(compareSpeeches), lexical: new LexicalIndex({ parts }), store, digest };
  }
}

/** The duplicate fingerprints of speeches, as a segment stores them. */
function fingerprintsOf(speeches: readonly StoredSpeech[]): SpeechShingles[] {
  return speeches.map(({ meta, paragraphs }) => {
    const { digest, shingles } = fingerprintSpeech(paragraphs);
    return { speech: meta, digest, shingles: Uint32Array.from(shingles) };
  });
}

/** A speech with what the index keeps beside it. */
function storedOf(speech: Speech): StoredSpeech {
  return { meta: speech.meta, paragraphs: speech.paragraphs, hashes: speech.paragraphs.map((p) => hashOf(p.text)) };
}

function hashOf(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 32);
}

function checkedWindows(windows: number[][] | undefined, dimension: number): Float32Array[] {
  if (windows === undefined || windows.length === 0 || windows.some((w) => w.length !== dimension)) {
    throw new AppError('index_invalid', `the model returned vectors that do not fit the index (dimension ${dimension})`);
  }
  return windows.map((w) => Float32Array.from(w));
}
