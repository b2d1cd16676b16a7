// The files of one index segment (a batch of speeches), each read with one call: the speeches' metadata as JSON
// and their paragraph texts as one text file, their fingerprints (read only to refuse a duplicate), the keyword
// postings and the vectors as binary sidecars (int8 for the scan, float32 for exact rescoring and reuse).

import { closeSync, openSync, readSync } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { LexicalPart, Posting } from '../core/lexical-index.ts';
import type { Paragraph, SpeechMeta } from '../core/types.ts';
import { paddedDimension, type Int8Rows } from './int8-vectors.ts';

/** A speech as a segment keeps it: what was read from corpus/, split, with a hash per paragraph text. */
export interface StoredSpeech {
  meta: SpeechMeta;
  paragraphs: Paragraph[];
  /** Hash of each paragraph's text, in order: the key under which its vectors are reused. */
  hashes: string[];
}

/** The duplicate fingerprint of a speech, as stored: its digest and 5-word shingle hashes, and what names it. */
export interface SpeechShingles {
  speech: Pick<SpeechMeta, 'id' | 'title' | 'date'>;
  digest: string;
  shingles: Uint32Array;
}

/** The vectors of a segment for one model: rows (windows) and, for each, the segment passage it embeds. */
export interface SegmentVectors {
  dimension: number;
  /** Float32 rows, `dimension` each. */
  rows: Float32Array;
  /** For each row, the passage's number within the segment (passages in speech, then paragraph, order). */
  owners: Uint32Array;
}

const MAGIC_LEX = 0x4c455831; // "LEX1"
const MAGIC_VEC = 0x56454331; // "VEC1"
const MAGIC_FP = 0x46505331; // "FPS1"

/** `<dir>/<name>.json` and `.txt`: the segment's speeches (metadata, paragraph bounds) and paragraph texts. */
export function speechesFile(dir: string, name: string): string {
  return path.join(dir, `${name}.json`);
}

/** `<dir>/<name>.txt`: every paragraph text of the segment, one after the other. */
export function textsFile(dir: string, name: string): string {
  return path.join(dir, `${name}.txt`);
}

/** `<dir>/<name>.fp`: the fingerprints of the segment's speeches. */
export function fingerprintsFile(dir: string, name: string): string {
  return path.join(dir, `${name}.fp`);
}

/** `<dir>/<name>.lex`: the segment's keyword postings. */
export function postingsFile(dir: string, name: string): string {
  return path.join(dir, `${name}.lex`);
}

/** `<dir>/<name>.<tag>.i8` and `.f32`: the segment's vectors for the model whose tag is given. */
export function vectorFiles(dir: string, name: string, tag: string): { int8: string; float32: string } {
  return { int8: path.join(dir, `${name}.${tag}.i8`), float32: path.join(dir, `${name}.${tag}.f32`) };
}

/** Serialises a segment's speeches: metadata and paragraph bounds as JSON, the texts apart (parsed much faster). */
export function encodeSpeeches(speeches: readonly StoredSpeech[]): { json: Buffer; texts: Buffer } {
  const stored = speeches.map(({ meta, paragraphs, hashes }) => ({
    meta,
    hashes,
    paragraphs: paragraphs.map(({ n, start, end, text }) => [n, start, end, text.length]),
  }));
  const texts = speeches.flatMap(({ paragraphs }) => paragraphs.map((p) => p.text)).join('');
  return { json: Buffer.from(JSON.stringify({ speeches: stored }), 'utf8'), texts: Buffer.from(texts, 'utf8') };
}

/** A speech of a segment without its paragraph texts: metadata, text hashes, and paragraph bounds. */
export interface SpeechHeader {
  meta: SpeechMeta;
  hashes: string[];
  /** `[n, start, end, length of the text]` per paragraph. */
  paragraphs: Array<[number, number, number, number]>;
}

/** Reads a segment's speeches without their texts (what is needed to find a paragraph's vectors by its hash). */
export async function readSpeechHeaders(dir: string, name: string): Promise<SpeechHeader[]> {
  const value = JSON.parse(await readFile(speechesFile(dir, name), 'utf8')) as { speeches?: unknown };
  if (!Array.isArray(value.speeches)) throw new Error(`${name}.json holds no speeches`);
  return value.speeches as SpeechHeader[];
}

/**
 * Reads a segment's speeches. Each paragraph's text is a slice of the one string of the texts file, which costs
 * no copy.
 * @throws Error when the files are not what a segment writes.
 */
export async function readSpeeches(dir: string, name: string): Promise<StoredSpeech[]> {
  const headers = await readSpeechHeaders(dir, name);
  const texts = await readFile(textsFile(dir, name), 'utf8');
  let at = 0;
  const speeches = headers.map((stored) => ({
    meta: stored.meta,
    hashes: stored.hashes,
    paragraphs: stored.paragraphs.map(([n, start, end, length]) => {
      const text = texts.slice(at, at + length);
      at += length;
      return { n, start, end, text };
    }),
  }));
  if (at !== texts.length) throw new Error(`${name}.txt does not hold the paragraphs its .json names`);
  return speeches;
}

/** Serialises a segment's fingerprints: a JSON header (ids, digests, counts), then every shingle as uint32. */
export function encodeFingerprints(fingerprints: readonly SpeechShingles[]): Buffer {
  const header = Buffer.from(JSON.stringify(fingerprints.map(({ speech, digest, shingles }) => [speech.id, speech.title, speech.date, digest, shingles.length])), 'utf8');
  const total = fingerprints.reduce((sum, { shingles }) => sum + shingles.length, 0);
  const buffer = Buffer.alloc(align8(8 + header.length) + total * 4);
  buffer.writeUInt32LE(MAGIC_FP, 0);
  buffer.writeUInt32LE(header.length, 4);
  header.copy(buffer, 8);
  let at = align8(8 + header.length);
  for (const { shingles } of fingerprints) {
    Buffer.from(shingles.buffer, shingles.byteOffset, shingles.byteLength).copy(buffer, at);
    at += shingles.byteLength;
  }
  return buffer;
}

/** Reads a segment's fingerprints; the shingles are views over one buffer. */
export async function readFingerprints(dir: string, name: string): Promise<SpeechShingles[]> {
  const bytes = await readFile(fingerprintsFile(dir, name));
  if (bytes.readUInt32LE(0) !== MAGIC_FP) throw new Error(`${name}.fp is not a fingerprints file`);
  const headerLength = bytes.readUInt32LE(4);
  const header = JSON.parse(bytes.toString('utf8', 8, 8 + headerLength)) as Array<[string, string, string, string, number]>;
  const buffer = new Uint8Array(bytes).buffer;
  let at = align8(8 + headerLength);
  return header.map(([id, title, date, digest, count]) => {
    const shingles = new Uint32Array(buffer, at, count);
    at += count * 4;
    return { speech: { id, title, date }, digest, shingles };
  });
}

/** Binary layout: magic, header length, JSON header (terms, posting lengths), lengths, docs, counts. */
export function encodePostings(part: LexicalPart): Buffer {
  const terms = [...part.postings.keys()];
  const sizes = terms.map((term) => part.postings.get(term)?.docs.length ?? 0);
  const total = sizes.reduce((sum, size) => sum + size, 0);
  const header = Buffer.from(JSON.stringify({ terms, sizes, passages: part.keys.length, keys: part.keys, speechIds: part.speechIds }), 'utf8');
  const body = { lengths: part.lengths.length * 2, docs: total * 4, counts: total * 2 };
  const buffer = Buffer.alloc(align8(8 + header.length) + align8(body.lengths) + body.docs + align8(body.counts));
  buffer.writeUInt32LE(MAGIC_LEX, 0);
  buffer.writeUInt32LE(header.length, 4);
  header.copy(buffer, 8);
  let at = align8(8 + header.length);
  Buffer.from(part.lengths.buffer, part.lengths.byteOffset, body.lengths).copy(buffer, at);
  at += align8(body.lengths);
  const docsAt = at;
  const countsAt = at + body.docs;
  let offset = 0;
  for (const term of terms) {
    const posting = part.postings.get(term) as Posting;
    Buffer.from(posting.docs.buffer, posting.docs.byteOffset, posting.docs.byteLength).copy(buffer, docsAt + offset * 4);
    Buffer.from(posting.counts.buffer, posting.counts.byteOffset, posting.counts.byteLength).copy(buffer, countsAt + offset * 2);
    offset += posting.docs.length;
  }
  return buffer;
}

/** Reads postings written by {@link encodePostings}, as views over one buffer. */
export async function readPostings(file: string): Promise<LexicalPart> {
  const bytes = await readFile(file);
  if (bytes.readUInt32LE(0) !== MAGIC_LEX) throw new Error(`${path.basename(file)} is not a postings file`);
  const headerLength = bytes.readUInt32LE(4);
  const header = JSON.parse(bytes.toString('utf8', 8, 8 + headerLength)) as { terms: string[]; sizes: number[]; passages: number; keys: string[]; speechIds: string[] };
  // A fresh, aligned copy: typed-array views need their offsets aligned to the element size.
  const buffer = new Uint8Array(bytes).buffer;
  let at = align8(8 + headerLength);
  const lengths = new Uint16Array(buffer, at, header.passages);
  at += align8(header.passages * 2);
  const total = header.sizes.reduce((sum, size) => sum + size, 0);
  const docs = new Uint32Array(buffer, at, total);
  const counts = new Uint16Array(buffer, at + total * 4, total);
  const postings = new Map<string, Posting>();
  let offset = 0;
  header.terms.forEach((term, i) => {
    const size = header.sizes[i] ?? 0;
    postings.set(term, { docs: docs.subarray(offset, offset + size), counts: counts.subarray(offset, offset + size) });
    offset += size;
  });
  return { keys: header.keys, speechIds: header.speechIds, lengths, postings };
}

/** The int8 file: magic, dimension, rows, then scales, owners and the padded int8 rows. */
export function encodeInt8(rows: Int8Rows, owners: Uint32Array): Buffer {
  const count = rows.scales.length;
  const buffer = Buffer.alloc(16 + count * 8 + rows.values.byteLength);
  buffer.writeUInt32LE(MAGIC_VEC, 0);
  buffer.writeUInt32LE(rows.dimension, 4);
  buffer.writeUInt32LE(count, 8);
  Buffer.from(rows.scales.buffer, rows.scales.byteOffset, count * 4).copy(buffer, 16);
  Buffer.from(owners.buffer, owners.byteOffset, count * 4).copy(buffer, 16 + count * 4);
  Buffer.from(rows.values.buffer, rows.values.byteOffset, rows.values.byteLength).copy(buffer, 16 + count * 8);
  return buffer;
}

/** Reads an int8 file written by {@link encodeInt8}. */
export async function readInt8(file: string): Promise<{ rows: Int8Rows; owners: Uint32Array }> {
  const bytes = await readFile(file);
  if (bytes.readUInt32LE(0) !== MAGIC_VEC) throw new Error(`${path.basename(file)} is not a vector file`);
  const dimension = bytes.readUInt32LE(4);
  const count = bytes.readUInt32LE(8);
  const buffer = new Uint8Array(bytes).buffer;
  const scales = new Float32Array(buffer, 16, count);
  const owners = new Uint32Array(buffer, 16 + count * 4, count);
  const values = new Int8Array(buffer, 16 + count * 8, count * paddedDimension(dimension));
  return { rows: { dimension, values, scales }, owners };
}

/**
 * The float32 rows of a segment, read a few at a time by position (to rescore the int8 scan's best candidates).
 * The file stays open while the segment is in use; reads are synchronous: a few kilobytes from the page cache
 * cost less than a trip through the thread pool.
 */
export class Float32RowFile {
  readonly #file: string;
  readonly #dimension: number;
  #fd: number | null = null;

  constructor(file: string, dimension: number) {
    this.#file = file;
    this.#dimension = dimension;
  }

  /** Rows `rows`, in that order. */
  read(rows: readonly number[]): Float32Array[] {
    this.#fd ??= openSync(this.#file, 'r');
    const fd = this.#fd;
    const bytes = this.#dimension * 4;
    return rows.map((row) => {
      const out = new Float32Array(this.#dimension);
      readSync(fd, new Uint8Array(out.buffer), 0, bytes, row * bytes);
      return out;
    });
  }

  /** Closes the file, if it was opened; a later read opens it again. */
  close(): void {
    if (this.#fd !== null) closeSync(this.#fd);
    this.#fd = null;
  }
}

/** Reads float32 rows `rows` (ascending or not) of a `.f32` file, `dimension` floats each, with one read per row. */
export async function readFloat32Rows(file: string, rows: readonly number[], dimension: number): Promise<Float32Array[]> {
  const handle = await open(file, 'r');
  try {
    return await Promise.all(
      rows.map(async (row) => {
        const out = new Float32Array(dimension);
        await handle.read(new Uint8Array(out.buffer), 0, dimension * 4, row * dimension * 4);
        return out;
      }),
    );
  } finally {
    await handle.close();
  }
}

function align8(value: number): number {
  return Math.ceil(value / 8) * 8;
}
