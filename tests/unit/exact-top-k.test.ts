// The benchmark's exact vector search (the reference any faster search is checked against): the same top k as
// scoring every vector and sorting, on random unit vectors.

import { describe, expect, it } from 'vitest';
import { exactTopK, randomUnitVectors } from '../../scripts/bench/baselines.ts';

/** Every row scored and sorted: the obvious, slow reference. */
function sortedTopK(vectors: Float32Array, dimension: number, query: Float32Array, k: number): number[] {
  const scores = Array.from({ length: vectors.length / dimension }, (_, row) => {
    let score = 0;
    for (let col = 0; col < dimension; col += 1) score += (vectors[row * dimension + col] as number) * (query[col] as number);
    return { row, score: Math.fround(score) };
  });
  return scores.sort((a, b) => b.score - a.score || a.row - b.row).slice(0, k).map((hit) => hit.row);
}

describe('exactTopK', () => {
  it('returns the same top 10 as a full sort, best first, for random queries', () => {
    const dimension = 384;
    const vectors = randomUnitVectors(2000, dimension, 11);
    const queries = randomUnitVectors(20, dimension, 12);
    for (let q = 0; q < 20; q += 1) {
      const query = queries.subarray(q * dimension, (q + 1) * dimension);
      const hits = exactTopK(vectors, dimension, query, 10);
      expect(hits.map((hit) => hit.row)).toEqual(sortedTopK(vectors, dimension, query, 10));
      expect(hits.every((hit, i) => i === 0 || (hits[i - 1] as { score: number }).score >= hit.score)).toBe(true);
    }
  });

  it('returns every row when there are fewer than k', () => {
    const vectors = randomUnitVectors(3, 8, 5);
    expect(exactTopK(vectors, 8, vectors.subarray(0, 8), 10).map((hit) => hit.row).sort()).toEqual([0, 1, 2]);
  });

  it('makes unit vectors, the same for the same seed', () => {
    const vectors = randomUnitVectors(5, 16, 3);
    for (let row = 0; row < 5; row += 1) {
      const norm = Math.hypot(...vectors.subarray(row * 16, (row + 1) * 16));
      expect(norm).toBeCloseTo(1, 5);
    }
    expect(randomUnitVectors(5, 16, 3)).toEqual(vectors);
  });
});
