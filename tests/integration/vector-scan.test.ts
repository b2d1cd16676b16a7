// The fast path of vector search (an int8 WebAssembly scan, then exact rescoring) against exact search, on random
// unit vectors, where neighbours are least separated: the same top 10, in the same order, with the same scores.

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Int8Block, quantizeRows } from '../../server/adapters/int8-vectors.ts';
import { Float32RowFile } from '../../server/adapters/segment-files.ts';
import { SegmentVectorStore } from '../../server/adapters/segment-vector-store.ts';
import { seededRandom } from '../unit/fakes.ts';

const DIMENSION = 384;
const ROWS_PER_SEGMENT = [12_000, 7_000, 1_000];
const QUERIES = 25;
const random = seededRandom(20_261_201);

let tmp = '';
let rows: Float32Array[] = [];
let store: SegmentVectorStore;

function unitVector(): Float32Array {
  const vector = Float32Array.from({ length: DIMENSION }, () => random() * 2 - 1);
  const norm = Math.hypot(...vector);
  return vector.map((x) => x / norm);
}

function exactTop(query: Float32Array, k: number): Array<{ key: string; score: number }> {
  return rows
    .map((row, i) => ({ key: `s#${i}`, score: row.reduce((sum, x, d) => sum + x * (query[d] ?? 0), 0) }))
    .sort((a, b) => b.score - a.score)
    .slice(0, k);
}

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'vector-scan-'));
  let first = 0;
  const segments = [];
  for (const [index, count] of ROWS_PER_SEGMENT.entries()) {
    const block = Array.from({ length: count }, unitVector);
    rows.push(...block);
    const flat = new Float32Array(count * DIMENSION);
    block.forEach((row, i) => flat.set(row, i * DIMENSION));
    const float32File = path.join(tmp, `segment-${index}.f32`);
    await writeFile(float32File, new Uint8Array(flat.buffer));
    const keys = block.map((_, i) => `s#${first + i}`);
    segments.push({ block: new Int8Block(quantizeRows(flat, DIMENSION)), owners: Uint32Array.from(keys.keys()), keys, speechIds: keys.map(() => 's'), removed: new Set<number>(), float32: new Float32RowFile(float32File, DIMENSION) });
    first += count;
  }
  store = new SegmentVectorStore({ modelId: 'random', dimension: DIMENSION, segments });
});

afterAll(async () => {
  rows = [];
  await rm(tmp, { recursive: true, force: true });
});

describe('the int8 scan with exact rescoring', () => {
  it(`returns the exact top 10 for ${QUERIES} random queries over ${ROWS_PER_SEGMENT.reduce((a, b) => a + b, 0)} random vectors in 3 segments`, async () => {
    for (let q = 0; q < QUERIES; q += 1) {
      const query = unitVector();
      const fast = await store.query(Array.from(query), 10);
      const exact = exactTop(query, 10);
      expect(fast.map((hit) => hit.key)).toEqual(exact.map((hit) => hit.key));
      fast.forEach((hit, i) => expect(hit.score).toBeCloseTo(exact[i]?.score ?? NaN, 5));
    }
  }, 60_000);

  it('keeps only passages of the speeches a filter allows, without their using up topK', async () => {
    const query = unitVector();
    const none = await store.query(Array.from(query), 10, { allowed: () => false });
    expect(none).toEqual([]);
    expect(await store.query(Array.from(query), 10, { allowed: (id) => id === 's' })).toHaveLength(10);
  });
});
