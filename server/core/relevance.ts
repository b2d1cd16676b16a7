// The relevance gate: whether anything answers a question at all, and which candidates are worth quoting.
// Constants of retrieval live here in one block.

import type { Passage, RetrievalMode } from './types.ts';

/** Tunable constants of retrieval. */
export interface RetrievalOptions {
  /** How many candidates each retriever contributes before fusion. */
  candidatePool: number;
  /** The `k` of reciprocal rank fusion: larger flattens the rank curve. */
  rrfK: number;
  lexicalWeight: number;
  denseWeight: number;
  /** How many of the best candidates the cross-encoder reorders. */
  rerankDepth: number;
  /** A question is answered only when some passage holds at least this share of its term weight… */
  minLexicalCoverage: number;
  /** …or, with dense retrieval, some passage reaches this cosine (a per-model setting). */
  minDenseScore: number;
  /** A quoted passage needs at least this coverage… */
  minPassageCoverage: number;
  /** …and this share of the best passage's coverage… */
  minRelativeCoverage: number;
  /** …unless, with dense retrieval, its cosine is no more than this below `minDenseScore`. */
  denseFollowerMargin: number;
}

/** Defaults, chosen on the development questions (see README, "Retrieval"). */
export const DEFAULT_RETRIEVAL_OPTIONS: RetrievalOptions = {
  candidatePool: 30,
  rrfK: 60,
  lexicalWeight: 1,
  denseWeight: 1,
  rerankDepth: 10,
  minLexicalCoverage: 0.25,
  minDenseScore: 0.45,
  minPassageCoverage: 0.15,
  minRelativeCoverage: 0.4,
  denseFollowerMargin: 0.1,
};

/** A passage in the running for a question, with the evidence for it. */
export interface Candidate {
  passage: Passage;
  /** Shown relevance in [0, 1]; ordering follows it only within one answer. */
  score: number;
  /** Share of the question's term weight the passage holds (see LexicalIndex.coverage). */
  coverage: number;
  /** Cosine to the question, when the passage was among the dense hits. */
  cosine: number | null;
  /** Cross-encoder logit, when it was reranked. */
  rerank: number | null;
}

/** Which signals the gate may use in a mode. */
function signals(mode: RetrievalMode): { lexical: boolean; dense: boolean } {
  return { lexical: mode !== 'dense', dense: mode !== 'lexical' };
}

/** True when some candidate is strong enough to answer the question. */
export function isRelevantAnswer(candidates: readonly Candidate[], context: { mode: RetrievalMode; options: RetrievalOptions }): boolean {
  const use = signals(context.mode);
  const { minLexicalCoverage, minDenseScore } = context.options;
  return candidates.some(
    (c) => (use.lexical && c.coverage >= minLexicalCoverage) || (use.dense && (c.cosine ?? -1) >= minDenseScore),
  );
}

/** The candidates worth quoting, in order: each must be relevant on its own, not merely the next best. */
export function selectRelevant(candidates: readonly Candidate[], context: { mode: RetrievalMode; options: RetrievalOptions }): Candidate[] {
  const use = signals(context.mode);
  const { minPassageCoverage, minRelativeCoverage, minDenseScore, denseFollowerMargin } = context.options;
  const bestCoverage = Math.max(0, ...candidates.map((c) => c.coverage));
  const coverageFloor = Math.max(minPassageCoverage, bestCoverage * minRelativeCoverage);
  return candidates.filter(
    (c) => (use.lexical && c.coverage >= coverageFloor) || (use.dense && (c.cosine ?? -1) >= minDenseScore - denseFollowerMargin),
  );
}
