// Reciprocal rank fusion of several ranked lists into one ranking.

/** A ranked list to fuse, with its weight. */
export interface RankedList {
  keys: readonly string[];
  weight: number;
}

/** A fused entry: the key and its fused score. */
export interface FusedEntry {
  key: string;
  score: number;
}

/**
 * Fuses ranked lists by reciprocal rank: each list adds `weight / (k + rank)` to a key (rank from 1).
 * Ties keep the order in which keys were first seen, so the first list breaks them.
 */
export function reciprocalRankFusion(lists: readonly RankedList[], options: { k: number }): FusedEntry[] {
  const scores = new Map<string, number>();
  for (const list of lists) {
    list.keys.forEach((key, index) => {
      scores.set(key, (scores.get(key) ?? 0) + list.weight / (options.k + index + 1));
    });
  }
  return [...scores.entries()]
    .map(([key, score], order) => ({ key, score, order }))
    .sort((a, b) => b.score - a.score || a.order - b.order)
    .map(({ key, score }) => ({ key, score }));
}

/** The best fused score any key can reach: first in every list. */
export function maxFusedScore(lists: readonly RankedList[], options: { k: number }): number {
  return lists.reduce((sum, list) => sum + list.weight / (options.k + 1), 0);
}

/** Cosine similarity of two vectors of equal length (unit vectors give their dot product). */
export function cosine(a: readonly number[], b: readonly number[]): number {
  let dot = 0;
  let normA = 0;
  let normB = 0;
  for (let i = 0; i < a.length; i += 1) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    dot += x * y;
    normA += x * x;
    normB += y * y;
  }
  return normA > 0 && normB > 0 ? dot / Math.sqrt(normA * normB) : 0;
}
