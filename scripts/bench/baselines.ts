// The plain baselines the product is measured against: a MiniSearch BM25 index of the paragraphs with default
// settings, and an exact brute-force cosine scan of a Float32Array with a top-k heap.

import MiniSearch from 'minisearch';
import { seededRandom } from '../seeded-random.ts';

/** A plain MiniSearch BM25 index of texts: one field, no prefix or fuzzy search, no stored fields. */
export interface KeywordBaseline {
  buildMs: number;
  /** The ids (positions in the texts) of the best `k` matches. */
  search(question: string, k: number): number[];
}

/** Indexes `texts` with MiniSearch's defaults (BM25, OR of the terms), timing the build. */
export function buildKeywordBaseline(texts: readonly string[]): KeywordBaseline {
  const started = performance.now();
  const index = new MiniSearch<{ id: number; text: string }>({ fields: ['text'] });
  index.addAll(texts.map((text, id) => ({ id, text })));
  const buildMs = performance.now() - started;
  return { buildMs, search: (question, k) => index.search(question).slice(0, k).map((result) => result.id as number) };
}

/** `count` random unit vectors of `dimension`, one after another in one array; the same seed gives the same ones. */
export function randomUnitVectors(count: number, dimension: number, seed: number): Float32Array {
  const random = seededRandom(seed);
  const vectors = new Float32Array(count * dimension);
  for (let row = 0; row < count; row += 1) {
    let norm = 0;
    for (let col = 0; col < dimension; col += 1) {
      const value = random() * 2 - 1;
      vectors[row * dimension + col] = value;
      norm += value * value;
    }
    const scale = 1 / Math.sqrt(norm);
    for (let col = 0; col < dimension; col += 1) vectors[row * dimension + col] = (vectors[row * dimension + col] as number) * scale;
  }
  return vectors;
}

/** One hit of an exact search: the vector's row and its dot product with the query. */
export interface ExactHit {
  row: number;
  score: number;
}

/**
 * The `k` rows of `vectors` with the highest dot product with `query` (the cosine, for unit vectors), best first:
 * one pass over the array, keeping the best so far in a min-heap of `k`. Exact; a reference for any faster search.
 */
export function exactTopK(vectors: Float32Array, dimension: number, query: Float32Array, k: number): ExactHit[] {
  const heapScores = new Float32Array(k);
  const heapRows = new Int32Array(k);
  let size = 0;
  const rows = vectors.length / dimension;
  for (let row = 0; row < rows; row += 1) {
    let score = 0;
    const offset = row * dimension;
    for (let col = 0; col < dimension; col += 1) score += (vectors[offset + col] as number) * (query[col] as number);
    if (size < k) {
      // Sift up.
      let i = size++;
      while (i > 0) {
        const parent = (i - 1) >> 1;
        if ((heapScores[parent] as number) <= score) break;
        heapScores[i] = heapScores[parent] as number;
        heapRows[i] = heapRows[parent] as number;
        i = parent;
      }
      heapScores[i] = score;
      heapRows[i] = row;
    } else if (score > (heapScores[0] as number)) {
      // Replace the worst of the best and sift down.
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        if (left >= k) break;
        const right = left + 1;
        const child = right < k && (heapScores[right] as number) < (heapScores[left] as number) ? right : left;
        if ((heapScores[child] as number) >= score) break;
        heapScores[i] = heapScores[child] as number;
        heapRows[i] = heapRows[child] as number;
        i = child;
      }
      heapScores[i] = score;
      heapRows[i] = row;
    }
  }
  return Array.from({ length: size }, (_, i) => ({ row: heapRows[i] as number, score: heapScores[i] as number })).sort((a, b) => b.score - a.score || a.row - b.row);
}
