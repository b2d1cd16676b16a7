// BM25 keyword search over passages (MiniSearch), plus the term statistics used to judge relevance.
// Pure: built in memory from passages, no I/O.

import MiniSearch from 'minisearch';
import { termsOf } from './terms.ts';
import type { Passage } from './types.ts';

/** BM25 constants; MiniSearch's own defaults, kept here so they are visible and tunable in one place. */
export const BM25_PARAMETERS = { k: 1.2, b: 0.7, d: 0.5 } as const;

/** One keyword hit. */
export interface LexicalHit {
  key: string;
  /** BM25 score (unbounded). */
  score: number;
  /**
   * Share of the question's information found in the passage: the summed inverse document frequency of the
   * question terms it contains over that of all question terms. 0 when nothing matches, 1 when all does.
   */
  coverage: number;
}

/** An in-memory BM25 index with document frequencies, built once per corpus version. */
export class LexicalIndex {
  readonly #search: MiniSearch<Passage>;
  readonly #documentFrequency = new Map<string, number>();
  readonly #termsByKey = new Map<string, ReadonlySet<string>>();

  constructor(passages: readonly Passage[]) {
    this.#search = new MiniSearch<Passage>({
      idField: 'key',
      fields: ['text'],
      tokenize: (text) => termsOf(text),
      processTerm: (term) => term,
      searchOptions: { bm25: BM25_PARAMETERS, combineWith: 'OR' },
    });
    for (const passage of passages) {
      const terms = new Set(termsOf(passage.text));
      this.#termsByKey.set(passage.key, terms);
      for (const term of terms) this.#documentFrequency.set(term, (this.#documentFrequency.get(term) ?? 0) + 1);
    }
    this.#search.addAll(passages);
  }

  /** Number of passages indexed. */
  get size(): number {
    return this.#termsByKey.size;
  }

  /** Inverse document frequency of a term; a term the corpus lacks gets the highest value. */
  idf(term: string): number {
    const n = this.#termsByKey.size;
    const df = this.#documentFrequency.get(term) ?? 0;
    return Math.log(1 + (n - df + 0.5) / (df + 0.5));
  }

  /** The distinct index terms of a question. */
  questionTerms(question: string): string[] {
    return [...new Set(termsOf(question))];
  }

  /** Share of the question terms' idf mass that the passage with `key` contains (see {@link LexicalHit.coverage}). */
  coverage(key: string, questionTerms: readonly string[]): number {
    const terms = this.#termsByKey.get(key);
    return terms === undefined ? 0 : this.#coverageIn(terms, questionTerms);
  }

  #coverageIn(terms: ReadonlySet<string>, questionTerms: readonly string[]): number {
    let found = 0;
    let total = 0;
    for (const term of questionTerms) {
      const weight = this.idf(term);
      total += weight;
      if (terms.has(term)) found += weight;
    }
    return total > 0 ? found / total : 0;
  }

  /** Share of the question terms' idf mass found in any text, e.g. one sentence of a passage. */
  coverageOfText(text: string, questionTerms: readonly string[]): number {
    return this.#coverageIn(new Set(termsOf(text)), questionTerms);
  }

  /** The best `limit` passages for a question by BM25, best first; only keys in `allowed` when it is given. */
  search(question: string, limit: number, allowed: ReadonlySet<string> | null = null): LexicalHit[] {
    const questionTerms = this.questionTerms(question);
    if (questionTerms.length === 0) return [];
    return this.#search
      .search(questionTerms.join(' '), {
        tokenize: (query) => query.split(' '),
        ...(allowed === null ? {} : { filter: (result) => allowed.has(String(result.id)) }),
      })
      .slice(0, limit)
      .map((result) => {
        const key = String(result.id);
        return { key, score: result.score, coverage: this.coverage(key, questionTerms) };
      });
  }
}
