// The on-disk vector index: a vectra LocalIndex per generation, named by a self-describing manifest that is
// swapped atomically, so a crash mid-write leaves the previous generation in force.

import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { LocalIndex } from 'vectra';
import { plural } from '../core/counts.ts';
import { AppError } from '../core/errors.ts';
import { SILENT_LOGGER, type Logger } from '../core/logger.ts';
import { sameProfile, type EmbeddingProfile } from '../core/model-profiles.ts';
import type { Embedder, Passage, VectorHit, VectorStore } from '../core/types.ts';
import { withDirLock } from './dir-lock.ts';
import { syncDir, syncFile } from './durable-fs.ts';

/** Bumped whenever the layout below changes; an index of another version is rebuilt. */
export const INDEX_FORMAT_VERSION = 2;

const MANIFEST = 'manifest.json';
const GENERATION_PREFIX = 'gen-';

/** `index/manifest.json`: what the index holds and which generation folder holds it. */
export interface IndexManifest {
  formatVersion: number;
  modelId: string;
  dimension: number;
  /** How the vectors were made (pooling, prefixes, token limit); vectors made otherwise are never mixed in. */
  profile: EmbeddingProfile;
  /** Folder name of the live generation inside the index folder. */
  generation: string;
  passages: number;
  /** Vectors held: one per passage, more for passages embedded in windows. */
  vectors: number;
  /** Hash over every passage key and text hash, to tell at a glance whether the corpus changed. */
  corpusHash: string;
  createdAt: string;
}

/** What a sync did. */
export interface IndexSyncReport {
  /** Why the old index was discarded entirely, or null when it was reused or refreshed. */
  rebuiltBecause: string | null;
  embedded: number;
  reused: number;
  /** False when the index on disk already matched the corpus and nothing was written. */
  wrote: boolean;
}

interface ItemMetadata extends Record<string, string | number> {
  key: string;
  hash: string;
  /** Which window of the passage this vector embeds, from 0. */
  window: number;
}

/** A {@link VectorStore} over one vectra generation. */
class VectraVectorStore implements VectorStore {
  readonly modelId: string;
  readonly dimension: number;
  readonly size: number;
  readonly #index: LocalIndex<ItemMetadata>;
  /** Vectors beyond one per passage: a query fetches this many more, so `topK` distinct passages remain. */
  readonly #extraWindows: number;

  constructor(index: LocalIndex<ItemMetadata>, manifest: IndexManifest) {
    this.#index = index;
    this.modelId = manifest.modelId;
    this.dimension = manifest.dimension;
    this.size = manifest.passages;
    this.#extraWindows = manifest.vectors - manifest.passages;
  }

  async query(vector: readonly number[], topK: number, options: { allowed?: (speechId: string) => boolean } = {}): Promise<VectorHit[]> {
    const { allowed } = options;
    // With a filter every vector is scored, so that excluded speeches do not use up the `topK`.
    const results = await this.#index.queryItems([...vector], '', allowed === undefined ? topK + this.#extraWindows : this.size + this.#extraWindows);
    const hits: VectorHit[] = [];
    const seen = new Set<string>();
    // Best first, so the first window seen of a passage is its closest.
    for (const result of results) {
      const key = result.item.metadata.key;
      if (seen.has(key) || (allowed !== undefined && !allowed(key.slice(0, key.lastIndexOf('#'))))) continue;
      seen.add(key);
      hits.push({ key, score: result.score });
      if (hits.length === topK) break;
    }
    return hits;
  }
}

function textHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 32);
}

function corpusHashOf(passages: ReadonlyArray<{ key: string; hash: string }>): string {
  const hash = createHash('sha256');
  for (const { key, hash: itemHash } of passages) hash.update(`${key}\u0000${itemHash}\n`);
  return hash.digest('hex').slice(0, 32);
}


function parseManifest(raw: string): IndexManifest {
  const value = JSON.parse(raw) as Partial<IndexManifest>;
  const ok =
    typeof value.formatVersion === 'number' &&
    typeof value.modelId === 'string' &&
    typeof value.dimension === 'number' &&
    typeof value.vectors === 'number' &&
    typeof value.profile === 'object' &&
    value.profile !== null &&
    typeof value.generation === 'string' &&
    value.generation.startsWith(GENERATION_PREFIX) &&
    !value.generation.includes('/') &&
    typeof value.corpusHash === 'string';
  if (!ok) throw new Error('manifest fields are missing or of the wrong type');
  return value as IndexManifest;
}

/** Reads the manifest and the vectors it names; says why when they cannot be used as they are. */
async function readExisting(dir: string, embedder: Embedder): Promise<{ manifest: IndexManifest; vectors: Map<string, number[][]> } | { problem: string }> {
  let raw: string;
  try {
    raw = await readFile(path.join(dir, MANIFEST), 'utf8');
  } catch {
    return { problem: 'no index yet' };
  }
  let manifest: IndexManifest;
  try {
    manifest = parseManifest(raw);
  } catch (error) {
    return { problem: `the manifest is corrupt (${(error as Error).message})` };
  }
  if (manifest.formatVersion !== INDEX_FORMAT_VERSION) {
    return { problem: `the index format is ${manifest.formatVersion}, this version reads ${INDEX_FORMAT_VERSION}` };
  }
  if (manifest.modelId !== embedder.modelId) return { problem: `the index was built with model ${manifest.modelId}, now ${embedder.modelId}` };
  if (manifest.dimension !== embedder.dimension) {
    return { problem: `the index holds ${manifest.dimension}-dimensional vectors, the model gives ${embedder.dimension}` };
  }
  if (!sameProfile(manifest.profile, embedder.profile)) {
    return { problem: `the model's profile changed (index ${JSON.stringify(manifest.profile)}, now ${JSON.stringify(embedder.profile)})` };
  }
  try {
    const items = await new LocalIndex<ItemMetadata>(path.join(dir, manifest.generation)).listItems();
    const vectors = new Map<string, number[][]>();
    for (const item of items) {
      const { hash, window } = item.metadata;
      if (item.vector.length !== manifest.dimension || typeof hash !== 'string' || typeof window !== 'number') {
        return { problem: 'the index data is inconsistent with its manifest' };
      }
      const windows = vectors.get(hash) ?? [];
      windows[window] = item.vector;
      vectors.set(hash, windows);
    }
    return { manifest, vectors };
  } catch (error) {
    return { problem: `the index data is unreadable (${(error as Error).message})` };
  }
}

/** Options for {@link syncVectorIndex}. */
export interface VectorIndexSyncOptions {
  /** The index folder (`index/`). */
  dir: string;
  embedder: Embedder;
  /** Every passage of the corpus, in corpus order. */
  passages: readonly Passage[];
  /** Texts embedded per call. */
  batchSize?: number;
  log?: Logger;
  /** Called as texts are embedded: `total` counts the texts that need embedding, not those reused. */
  onProgress?: (progress: { done: number; total: number }) => void;
}

/**
 * Brings the index in `dir` in line with the passages and the model: reuses the vectors of unchanged texts,
 * embeds only new or changed ones, and rebuilds from scratch (saying why) when the index is missing, corrupt or
 * made with another model or dimension. Writers are serialised across processes by a lock file.
 */
export async function syncVectorIndex(options: VectorIndexSyncOptions): Promise<{ store: VectorStore; report: IndexSyncReport }> {
  const { dir, embedder, passages, batchSize = 32, log = SILENT_LOGGER, onProgress } = options;
  await mkdir(dir, { recursive: true });
  return withDirLock(dir, async () => {
    const existing = await readExisting(dir, embedder);
    const known = 'problem' in existing ? new Map<string, number[][]>() : existing.vectors;
    const rebuiltBecause = 'problem' in existing ? existing.problem : null;
    if (rebuiltBecause !== null) log.warn(`index: rebuilding from corpus because ${rebuiltBecause}`);

    const items = passages.map((passage) => ({ passage, hash: textHash(passage.text) }));
    const corpusHash = corpusHashOf(items.map(({ passage, hash }) => ({ key: passage.key, hash })));
    if (!('problem' in existing) && existing.manifest.corpusHash === corpusHash) {
      const index = new LocalIndex<ItemMetadata>(path.join(dir, existing.manifest.generation));
      const store = new VectraVectorStore(index, existing.manifest);
      onProgress?.({ done: 0, total: 0 });
      return { store, report: { rebuiltBecause: null, embedded: 0, reused: passages.length, wrote: false } };
    }

    // Identical texts (a repeated line in two speeches) are embedded once.
    const toEmbed = [...new Map(items.filter(({ hash }) => !known.has(hash)).map(({ passage, hash }) => [hash, passage.text])).entries()];
    let done = 0;
    onProgress?.({ done, total: toEmbed.length });
    for (let i = 0; i < toEmbed.length; i += batchSize) {
      const batch = toEmbed.slice(i, i + batchSize);
      const vectors = await embedder.embedPassages(batch.map(([, text]) => text));
      batch.forEach(([hash], j) => {
        const windows = vectors[j] ?? [];
        const wrong = windows.find((vector) => vector.length !== embedder.dimension);
        if (windows.length === 0 || wrong !== undefined) {
          throw new AppError('index_invalid', `the model returned a vector of length ${wrong?.length ?? 0} for dimension ${embedder.dimension}`);
        }
        known.set(hash, windows);
      });
      done += batch.length;
      onProgress?.({ done, total: toEmbed.length });
    }

    const generation = `${GENERATION_PREFIX}${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
    const index = new LocalIndex<ItemMetadata>(path.join(dir, generation));
    try {
      await index.createIndex({ version: 1, deleteIfExists: true });
      await index.batchInsertItems(
        items.flatMap(({ passage, hash }) =>
          (known.get(hash) ?? []).map((vector, window) => ({ id: `${passage.key}~${window}`, vector, metadata: { key: passage.key, hash, window } })),
        ),
      );
      await syncFile(path.join(dir, generation, 'index.json'));
      await syncDir(path.join(dir, generation));
    } catch (error) {
      // A write that fails (a full disk) leaves the index folder as it was.
      await rm(path.join(dir, generation), { recursive: true, force: true });
      throw error;
    }

    const manifest: IndexManifest = {
      formatVersion: INDEX_FORMAT_VERSION,
      modelId: embedder.modelId,
      dimension: embedder.dimension,
      profile: embedder.profile,
      generation,
      passages: items.length,
      vectors: items.reduce((sum, { hash }) => sum + (known.get(hash)?.length ?? 0), 0),
      corpusHash,
      createdAt: new Date().toISOString(),
    };
    // The rename is the commit point: before it the old generation is live, after it the new one.
    const staged = path.join(dir, `${MANIFEST}.${process.pid}.tmp`);
    const handle = await open(staged, 'w');
    await handle.writeFile(`${JSON.stringify(manifest, null, 2)}\n`);
    await handle.sync();
    await handle.close();
    await rename(staged, path.join(dir, MANIFEST));
    await syncDir(dir);
    await removeStale(dir, generation);

    const embedded = toEmbed.length;
    log.info(`index: ${plural(items.length, 'paragraph', 'paragraphs')}, ${embedded} embedded, ${items.length - embedded} reused (model ${embedder.modelId})`);
    return { store: new VectraVectorStore(index, manifest), report: { rebuiltBecause, embedded, reused: items.length - embedded, wrote: true } };
  });
}

/** Deletes generations other than the live one and manifests staged by writers that died. */
async function removeStale(dir: string, live: string): Promise<void> {
  for (const entry of await readdir(dir)) {
    const stale = (entry.startsWith(GENERATION_PREFIX) && entry !== live) || (entry.startsWith(`${MANIFEST}.`) && entry.endsWith('.tmp'));
    if (stale) await rm(path.join(dir, entry), { recursive: true, force: true });
  }
}

/** Reads the manifest of the index in `dir`, or null when there is none or it is unreadable. */
export async function readIndexManifest(dir: string): Promise<IndexManifest | null> {
  try {
    return parseManifest(await readFile(path.join(dir, MANIFEST), 'utf8'));
  } catch {
    return null;
  }
}
