// The VectorStore over the index's segments: every vector scanned as int8 with WebAssembly SIMD, the best
// candidates rescored exactly from their float32 rows on disk, each passage scored by its best window.

import { TopScores } from '../core/top-scores.ts';
import type { VectorHit, VectorStore } from '../core/types.ts';
import { Int8Block, scanQueryOf } from './int8-vectors.ts';
import type { Float32RowFile } from './segment-files.ts';

/** One segment's vectors, as loaded. */
export interface VectorSegment {
  block: Int8Block;
  /** For each row, the passage's number within the segment. */
  owners: Uint32Array;
  /** The segment's passages: key and speech. */
  keys: readonly string[];
  speechIds: readonly string[];
  /** Passages left out (their speech was removed or replaced since the segment was written). */
  removed: ReadonlySet<number>;
  /** The float32 rows, for rescoring. */
  float32: Float32RowFile;
}

/** How many candidates the int8 pass hands to exact rescoring, at least. */
const MIN_RESCORED = 64;

/** A {@link VectorStore} over segments; a new one is made when segments are added or dropped. */
export class SegmentVectorStore implements VectorStore {
  readonly modelId: string;
  readonly dimension: number;
  readonly size: number;
  readonly #segments: readonly VectorSegment[];

  constructor(init: { modelId: string; dimension: number; segments: readonly VectorSegment[] }) {
    this.modelId = init.modelId;
    this.dimension = init.dimension;
    this.#segments = init.segments;
    this.size = init.segments.reduce((sum, segment) => sum + segment.keys.length - segment.removed.size, 0);
  }

  async query(vector: readonly number[], topK: number, options: { allowed?: (speechId: string) => boolean } = {}): Promise<VectorHit[]> {
    if (topK <= 0 || this.size === 0) return [];
    const candidates = this.#scan(vector, Math.max(MIN_RESCORED, 4 * topK), options.allowed);
    const best = new Map<string, number>();
    for (const { segment, rows } of candidates) {
      const exact = segment.float32.read(rows);
      rows.forEach((row, i) => {
        const key = segment.keys[segment.owners[row] ?? 0] ?? '';
        const score = dot(exact[i] as Float32Array, vector);
        if (score > (best.get(key) ?? Number.NEGATIVE_INFINITY)) best.set(key, score);
      });
    }
    return [...best].map(([key, score]) => ({ key, score })).sort((a, b) => b.score - a.score).slice(0, topK);
  }

  /** The int8 pass: the best rows of all segments, grouped by segment for reading their exact values. */
  #scan(vector: readonly number[], limit: number, allowed: ((speechId: string) => boolean) | undefined): Array<{ segment: VectorSegment; rows: number[] }> {
    const query = scanQueryOf(vector, this.dimension);
    const top = new TopScores(limit);
    const verdicts = new Map<string, boolean>();
    let floor = Number.NEGATIVE_INFINITY;
    this.#segments.forEach((segment, index) => {
      const raw = segment.block.scanRaw(query);
      const { scales } = segment.block;
      for (let row = 0; row < segment.block.count; row += 1) {
        const score = (raw[row] ?? 0) / ((scales[row] ?? 1) * query.scale);
        if (score <= floor) continue;
        const passage = segment.owners[row] ?? 0;
        if (segment.removed.has(passage)) continue;
        if (allowed !== undefined) {
          const speechId = segment.speechIds[passage] ?? '';
          let verdict = verdicts.get(speechId);
          if (verdict === undefined) verdicts.set(speechId, (verdict = allowed(speechId)));
          if (!verdict) continue;
        }
        top.push(index * 2 ** 32 + row, score);
        floor = top.floor;
      }
    });
    const bySegment = new Map<number, number[]>();
    for (const { id } of top.sorted()) {
      const index = Math.floor(id / 2 ** 32);
      const rows = bySegment.get(index) ?? [];
      rows.push(id - index * 2 ** 32);
      bySegment.set(index, rows);
    }
    return [...bySegment].map(([index, rows]) => ({ segment: this.#segments[index] as VectorSegment, rows }));
  }
}

function dot(a: Float32Array, b: readonly number[]): number {
  let sum = 0;
  for (let i = 0; i < a.length; i += 1) sum += (a[i] ?? 0) * (b[i] ?? 0);
  return sum;
}
