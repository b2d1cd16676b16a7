// One ranking from the keyword and dense hits of a question, and the cosine of two vectors. Pure.

import type { RetrievalMode, VectorHit } from './types.ts';

/** A keyword hit: its BM25 score. */
export interface KeywordHit {
  key: string;
  score: number;
}

/** How the evidence of a passage weighs in the hybrid ranking. */
export interface FusionWeights {
  /** Weight of the BM25 score relative to the question's best BM25 score. */
  lexicalWeight: number;
  /** Weight of the coverage (the share of the question's term weight the passage holds). */
  coverageWeight: number;
  /** Added for a passage of a speech whose speaker the question names ("what did the Director General say…"). */
  speakerBoost: number;
}

/** What {@link fuseHits} ranks with. */
export interface FusionInput {
  mode: RetrievalMode;
  keywordHits: readonly KeywordHit[];
  denseHits: readonly VectorHit[];
  weights: FusionWeights;
  coverageOf(key: string): number;
  /** True for a passage of a speech whose speaker the question names. */
  bySpeaker(key: string): boolean;
}

/** A ranked passage: its shown score in [0, 1] and its cosine when it was among the dense hits. */
export interface FusedHit {
  key: string;
  score: number;
  cosine: number | null;
}

/**
 * Ranks the hits. Lexical: BM25 relative to the best hit, scaled by how much of the question the best hit covers.
 * Dense: the cosine. Hybrid: the cosine plus small shares of relative BM25 and of coverage, so that exact wording
 * breaks ties between passages of similar meaning; a passage outside the dense pool counts with the pool's last
 * cosine, which it cannot beat. Scores are shown relative to the best possible one.
 */
export function fuseHits(input: FusionInput): FusedHit[] {
  const { mode, keywordHits, denseHits, weights } = input;
  const cosines = new Map(denseHits.map((hit) => [hit.key, hit.score]));
  const boost = (key: string): number => (input.bySpeaker(key) ? weights.speakerBoost : 0);
  const bestBm25 = keywordHits[0]?.score ?? 0;
  let ranked: FusedHit[];
  if (mode === 'lexical') {
    const scale = bestBm25 > 0 ? input.coverageOf(keywordHits[0]?.key ?? '') / bestBm25 : 0;
    ranked = keywordHits.map((hit) => ({ key: hit.key, score: (hit.score * scale + boost(hit.key)) / (1 + weights.speakerBoost), cosine: null }));
  } else if (mode === 'dense') {
    ranked = denseHits.map((hit) => ({ key: hit.key, score: Math.max(0, hit.score), cosine: hit.score }));
  } else {
    const bm25 = new Map(keywordHits.map((hit) => [hit.key, bestBm25 > 0 ? hit.score / bestBm25 : 0]));
    const floorCosine = denseHits[denseHits.length - 1]?.score ?? 0;
    const ceiling = 1 + weights.lexicalWeight + weights.coverageWeight + weights.speakerBoost;
    const keys = new Set([...denseHits.map((hit) => hit.key), ...keywordHits.map((hit) => hit.key)]);
    ranked = [...keys].map((key) => {
      const cosine = cosines.get(key) ?? null;
      const fused = (cosine ?? floorCosine) + weights.lexicalWeight * (bm25.get(key) ?? 0) + weights.coverageWeight * input.coverageOf(key) + boost(key);
      return { key, score: fused / ceiling, cosine };
    });
  }
  return ranked.map((hit) => ({ ...hit, score: Math.min(1, Math.max(0, hit.score)) })).sort((a, b) => b.score - a.score);
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
