// The on-disk index: a self-describing manifest naming immutable segment files (speeches, keyword postings,
// vectors per model). A change writes new segments, then swaps the manifest atomically: readers (this process,
// another process, another replica) see the old index or the new, never a mix.

import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { EmbeddingProfile } from '../core/model-profiles.ts';
import type { Embedder } from '../core/types.ts';
import { syncDir } from './durable-fs.ts';

/** Bumped whenever the layout changes; an index of another version is rebuilt. */
export const INDEX_FORMAT_VERSION = 4;

const MANIFEST = 'manifest.json';
const SEGMENT_PREFIX = 'seg-';

/** Size and modification time of a file of corpus/, as last indexed: how a change is seen without reading it. */
export type FileStamp = [size: number, mtimeMs: number];

/** One segment as the manifest lists it. */
export interface SegmentEntry {
  name: string;
  /** The speeches it holds, in order. */
  speechIds: string[];
  /** Of those, speeches removed or replaced since it was written: left out when read. */
  removed: string[];
  passages: number;
}

/** The vectors of the index: one model, with the segments that have vectors for it. */
export interface VectorsEntry {
  /** Short hash of model id, dimension and profile: part of the vector files' names. */
  tag: string;
  modelId: string;
  dimension: number;
  profile: EmbeddingProfile;
  segments: string[];
  /** Rows held (a long passage has one per window). */
  rows: number;
}

/** `index/manifest.json`. */
export interface IndexManifest {
  formatVersion: number;
  segments: SegmentEntry[];
  /** Every speech indexed: its text and metadata files' stamps, and a digest of their bytes. */
  corpus: Record<string, { text: FileStamp; meta: FileStamp | null; digest: string }>;
  vectors: VectorsEntry | null;
  /** Paragraphs searched (those of removed or replaced speeches left out). */
  passages: number;
  createdAt: string;
}

/** An index with nothing in it. */
export function emptyManifest(): IndexManifest {
  return { formatVersion: INDEX_FORMAT_VERSION, segments: [], corpus: {}, vectors: null, passages: 0, createdAt: new Date().toISOString() };
}

/** The tag of a model's vectors: a change of id, dimension or profile is another tag, so another set of files. */
export function vectorTag(embedder: Pick<Embedder, 'modelId' | 'dimension' | 'profile'>): string {
  return createHash('sha256').update(JSON.stringify([embedder.modelId, embedder.dimension, embedder.profile])).digest('hex').slice(0, 12);
}

/** Reads the manifest; says why it cannot be used when it cannot. */
export async function readManifest(dir: string): Promise<{ manifest: IndexManifest } | { problem: string }> {
  let raw: string;
  try {
    raw = await readFile(path.join(dir, MANIFEST), 'utf8');
  } catch {
    return { problem: 'no index yet' };
  }
  let value: Partial<IndexManifest>;
  try {
    value = JSON.parse(raw) as Partial<IndexManifest>;
  } catch (error) {
    return { problem: `the manifest is corrupt (${(error as Error).message})` };
  }
  if (value.formatVersion !== INDEX_FORMAT_VERSION) return { problem: `the index format is ${String(value.formatVersion)}, this version reads ${INDEX_FORMAT_VERSION}` };
  const ok =
    Array.isArray(value.segments) &&
    value.segments.every((s) => typeof s?.name === 'string' && s.name.startsWith(SEGMENT_PREFIX) && !s.name.includes('/') && Array.isArray(s.speechIds) && Array.isArray(s.removed)) &&
    typeof value.corpus === 'object' &&
    value.corpus !== null &&
    (value.vectors === null || (typeof value.vectors?.tag === 'string' && Array.isArray(value.vectors.segments)));
  return ok ? { manifest: value as IndexManifest } : { problem: 'the manifest is corrupt (fields are missing or of the wrong type)' };
}

/** The manifest of the index in `dir`, or null when there is none or it cannot be used. */
export async function readIndexManifest(dir: string): Promise<IndexManifest | null> {
  const read = await readManifest(dir);
  return 'manifest' in read ? read.manifest : null;
}

/** A new segment name, unique across writers. */
export function newSegmentName(): string {
  return `${SEGMENT_PREFIX}${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
}

/** Writes a file durably: to a temporary name, synced, renamed into place. */
export async function writeDurably(file: string, bytes: Uint8Array): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const staged = `${file}.${process.pid}.tmp`;
  const handle = await open(staged, 'w');
  try {
    await handle.writeFile(bytes);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(staged, file);
}

/** Commits a manifest: every file it names must already be durable. The rename is the commit point. */
export async function commitManifest(dir: string, manifest: IndexManifest): Promise<void> {
  await syncDir(dir);
  await writeDurably(path.join(dir, MANIFEST), Buffer.from(`${JSON.stringify({ ...manifest, createdAt: new Date().toISOString() })}\n`, 'utf8'));
  await syncDir(dir);
}

/** The files a manifest needs. */
function referenced(manifest: IndexManifest): Set<string> {
  const files = new Set<string>([MANIFEST]);
  for (const { name } of manifest.segments) for (const suffix of ['.json', '.txt', '.fp', '.lex']) files.add(`${name}${suffix}`);
  if (manifest.vectors !== null) for (const name of manifest.vectors.segments) for (const suffix of ['i8', 'f32']) files.add(`${name}.${manifest.vectors.tag}.${suffix}`);
  return files;
}

/**
 * Deletes what the manifest no longer names: segments of older generations and files of writers that died. A
 * file younger than `graceMs` is kept: another reader may still be answering from the generation before.
 */
export async function removeUnreferenced(dir: string, manifest: IndexManifest, options: { graceMs: number }): Promise<void> {
  const keep = referenced(manifest);
  const now = Date.now();
  for (const entry of await readdir(dir).catch(() => [] as string[])) {
    if (keep.has(entry) || entry === 'README.md' || entry.startsWith('.')) continue;
    const stale = entry.startsWith(SEGMENT_PREFIX) || entry.startsWith('gen-') || entry.endsWith('.tmp');
    if (!stale) continue;
    const info = await stat(path.join(dir, entry)).catch(() => null);
    if (info !== null && now - info.mtimeMs >= options.graceMs) await rm(path.join(dir, entry), { recursive: true, force: true });
  }
}

