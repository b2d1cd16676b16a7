// The relevance gate: whether anything answers a question at all, and which candidates are worth quoting.
// Constants of retrieval live here in one block.

import type { Passage, RetrievalMode } from './types.ts';

/** Tunable constants of retrieval. */
export interface RetrievalOptions {
  /** How many candidates each retriever contributes before fusion. */
  candidatePool: number;
  /** Hybrid ranking: cosine plus this times the BM25 score relative to the question's best BM25 score… */
  lexicalWeight: number;
  /** …plus this times the coverage (see {@link Candidate.coverage})… */
  coverageWeight: number;
  /** …plus this for a passage of a speech whose speaker the question names (all modes)… */
  speakerBoost: number;
  /** …when the question, without the speaker's name, still has at least this many terms of its own. */
  minTopicTerms: number;
  /** How many of the best candidates the cross-encoder reorders. */
  rerankDepth: number;
  /** Lexical mode: a question is answered only when some passage holds at least this share of its term weight. */
  minLexicalCoverage: number;
  /**
   * With a model: a question is answered when some passage reaches this cosine (after the penalty for names the
   * corpus never mentions). Calibrated per model and corpus at start-up (see core/dense-calibration.ts).
   */
  minDenseScore: number;
  /** With a model: a passage holding this share of the question's term weight answers whatever its cosine. */
  minHybridCoverage: number;
  /** Subtracted from every cosine for each name or number of the question that no speech contains. */
  unknownNamePenalty: number;
  /** A quoted passage after the first needs at least this coverage (lexical evidence)… */
  minPassageCoverage: number;
  /** …and this share of the best passage's coverage… */
  minRelativeCoverage: number;
  /** …or, with a model, a cosine no more than this below `minDenseScore`… */
  denseFollowerMargin: number;
  /** …and no more than this below the best passage's cosine. */
  denseFollowerGap: number;
}

/** Defaults, measured on the development questions with the default model (see README, "Retrieval"). */
export const DEFAULT_RETRIEVAL_OPTIONS: RetrievalOptions = {
  candidatePool: 30,
  lexicalWeight: 0.05,
  coverageWeight: 0.1,
  speakerBoost: 0.05,
  minTopicTerms: 2,
  rerankDepth: 10,
  minLexicalCoverage: 0.25,
  minDenseScore: 0.45,
  minHybridCoverage: 0.5,
  unknownNamePenalty: 0.1,
  minPassageCoverage: 0.15,
  minRelativeCoverage: 0.4,
  denseFollowerMargin: 0.05,
  denseFollowerGap: 0.05,
};

/** A passage in the running for a question, with the evidence for it. */
export interface Candidate {
  passage: Passage;
  /** Shown relevance in [0, 1]; ordering follows it only within one answer. */
  score: number;
  /** Share of the question's term weight the passage holds (see LexicalIndex.coverage): whether it answers. */
  coverage: number;
  /** The same without the words naming the speakers asked about: whether it is on the question's topic. */
  topicCoverage: number;
  /** Cosine to the question, when the passage was among the dense hits. */
  cosine: number | null;
  /** Cross-encoder logit, when it was reranked. */
  rerank: number | null;
}

/** What the gate weighs besides the candidates. */
export interface GateContext {
  mode: RetrievalMode;
  options: RetrievalOptions;
  /** Names and numbers of the question that no speech contains (see core/unknown-names.ts). */
  unknownNames: readonly string[];
}

/** The cosine a candidate counts with: its own, less the penalty for names the corpus does not know. */
function denseEvidence(candidate: Candidate, context: GateContext): number {
  return (candidate.cosine ?? -1) - context.unknownNames.length * context.options.unknownNamePenalty;
}

/** True when `candidate` alone is strong enough to answer the question. */
function answers(candidate: Candidate, context: GateContext): boolean {
  const { mode, options, unknownNames } = context;
  // Without a model nothing can stand in for a name the speeches never mention.
  if (mode === 'lexical') return unknownNames.length === 0 && candidate.coverage >= options.minLexicalCoverage;
  const lexicalAnswers = mode === 'hybrid' && unknownNames.length === 0 && candidate.coverage >= options.minHybridCoverage;
  return lexicalAnswers || denseEvidence(candidate, context) >= options.minDenseScore;
}

/** True when some candidate is strong enough to answer the question. */
export function isRelevantAnswer(candidates: readonly Candidate[], context: GateContext): boolean {
  return candidates.some((candidate) => answers(candidate, context));
}

/**
 * The candidates worth quoting, in order: the best that answers on its own, and those close behind it (enough of
 * the question's words, backed by the model when there is one, or a cosine near the threshold and near the best
 * passage's). A passage is never quoted merely for being the next best.
 */
export function selectRelevant(candidates: readonly Candidate[], context: GateContext): Candidate[] {
  const lead = candidates.find((candidate) => answers(candidate, context));
  if (lead === undefined) return [];
  const { mode, options } = context;
  const bestCoverage = Math.max(0, ...candidates.map((c) => c.topicCoverage));
  const coverageFloor = Math.max(options.minPassageCoverage, bestCoverage * options.minRelativeCoverage);
  const nearThreshold = options.minDenseScore - options.denseFollowerMargin;
  const denseFloor = Math.max(nearThreshold, Math.max(...candidates.map((c) => denseEvidence(c, context))) - options.denseFollowerGap);
  const follows = (c: Candidate): boolean => {
    if (mode === 'lexical') return c.topicCoverage >= coverageFloor;
    const dense = denseEvidence(c, context);
    if (mode === 'dense') return dense >= denseFloor;
    // A short, general paragraph ("This dialogue takes place at a crucial time:") is close to many questions in
    // meaning; one that shares no word with the question is not quoted on its cosine alone.
    return (dense >= denseFloor && c.topicCoverage > 0) || (c.topicCoverage >= coverageFloor && dense >= nearThreshold);
  };
  return candidates.filter((c) => c === lead || follows(c));
}
