// Turns a question into a weighted query: its own terms, synonyms of its words (expansion), and, for a short
// follow-up ("and what about children?"), the terms of the question it follows.

import { termOf, termsOf, wordTokens } from './terms.ts';
import type { SynonymLookup } from './types.ts';

/** One term of a query. */
export interface QueryTerm {
  term: string;
  /** BM25 boost of the term; 1 for the question's own terms. */
  weight: number;
  /** For a synonym: the question term it stands in for. */
  of?: string;
}

/** A question ready for retrieval. */
export interface Query {
  /** The question's own words, embedded for dense retrieval. */
  text: string;
  /** For a follow-up, the question it follows, embedded too but weighing less (`contextWeight`); else null. */
  context: string | null;
  /** The question as understood, remembered as the conversation's previous question: a follow-up joined to it. */
  understoodAs: string;
  /** The question's own terms (not those carried over from the previous question). */
  ownTerms: string[];
  /** The question's own terms and those it carries over from the previous question: the relevance base. */
  baseTerms: QueryTerm[];
  /** Synonym terms, each standing in for one base term. */
  synonymTerms: QueryTerm[];
  isFollowUp: boolean;
}

/** Weights of query expansion. */
export interface QueryOptions {
  /** Boost of a synonym term, relative to the term it stands in for. */
  synonymWeight: number;
  /** Synonyms taken per word. */
  maxSynonymsPerWord: number;
  /** Weight of the previous question in a follow-up, relative to the follow-up's own words (terms and vector). */
  contextWeight: number;
  /** A question is a follow-up only when it has at most this many terms of its own. */
  maxFollowUpTerms: number;
}

/** Defaults for {@link QueryOptions}. */
export const DEFAULT_QUERY_OPTIONS: QueryOptions = { synonymWeight: 0.5, maxSynonymsPerWord: 6, contextWeight: 0.25, maxFollowUpTerms: 4 };

// Openings and pronouns that make a short question lean on the previous one.
const FOLLOW_UP_OPENING = /^\s*(and|but|also|or|so|then|what about|how about|and what|what of|same for|as for)\b/i;
const ANAPHORA = /\b(it|its|they|them|their|this|that|these|those|he|she|his|her|there)\b/i;

/** True when `question` is a short follow-up of the previous question in `history`. */
export function isFollowUp(question: string, history: readonly string[], options: QueryOptions = DEFAULT_QUERY_OPTIONS): boolean {
  if (history.length === 0) return false;
  const ownTerms = new Set(termsOf(question)).size;
  return ownTerms <= options.maxFollowUpTerms && (FOLLOW_UP_OPENING.test(question) || ANAPHORA.test(question) || ownTerms <= 1);
}

/** Builds the query for `question`, given the conversation's earlier questions (oldest first). */
export function buildQuery(
  question: string,
  context: { history?: readonly string[]; synonyms?: SynonymLookup | null; options?: Partial<QueryOptions> } = {},
): Query {
  const options = { ...DEFAULT_QUERY_OPTIONS, ...context.options };
  const history = context.history ?? [];
  const followUp = isFollowUp(question, history, options);
  const previous = followUp ? (history[history.length - 1] ?? '') : '';

  const base = new Map<string, QueryTerm>();
  for (const term of termsOf(question)) base.set(term, { term, weight: 1 });
  for (const term of termsOf(previous)) if (!base.has(term)) base.set(term, { term, weight: options.contextWeight });

  const synonymTerms = new Map<string, QueryTerm>();
  if (context.synonyms) {
    for (const token of wordTokens(question)) {
      const of = termOf(token.word);
      if (of === null) continue;
      for (const phrase of context.synonyms(token.word).slice(0, options.maxSynonymsPerWord)) {
        const words = termsOf(phrase);
        for (const term of words) {
          if (base.has(term)) continue;
          // A phrase ("take place") shares its weight among its words, so long phrases do not outweigh the word.
          const weight = options.synonymWeight / words.length;
          const known = synonymTerms.get(term);
          if (known === undefined || known.weight < weight) synonymTerms.set(term, { term, weight, of });
        }
      }
    }
  }
  return {
    text: question,
    ownTerms: [...new Set(termsOf(question))],
    context: followUp ? previous : null,
    understoodAs: followUp ? `${previous} ${question}` : question,
    baseTerms: [...base.values()],
    synonymTerms: [...synonymTerms.values()],
    isFollowUp: followUp,
  };
}
