// BM25 keyword search over passages (MiniSearch), plus the term statistics used to judge relevance.
// Pure: built in memory from passages, no I/O.

import MiniSearch from 'minisearch';
import type { Query } from './query.ts';
import { termsOf } from './terms.ts';
import type { Passage } from './types.ts';

/** BM25 constants; MiniSearch's own defaults, kept here so they are visible and tunable in one place. */
export const BM25_PARAMETERS = { k: 1.2, b: 0.7, d: 0.5 } as const;

/** One keyword hit. */
export interface LexicalHit {
  key: string;
  /** BM25 score (unbounded). */
  score: number;
}

/** The part of a query that coverage is measured on. */
export type CoverageQuery = Pick<Query, 'baseTerms' | 'synonymTerms'>;

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

  /** True when some passage holds `term`. */
  knows(term: string): boolean {
    return this.#documentFrequency.has(term);
  }

  /** Inverse document frequency of a term; a term the corpus lacks gets the highest value. */
  idf(term: string): number {
    const n = this.#termsByKey.size;
    const df = this.#documentFrequency.get(term) ?? 0;
    return Math.log(1 + (n - df + 0.5) / (df + 0.5));
  }

  /**
   * Share of the query's information found in the passage with `key`: the idf-weighted share of its base terms
   * present, a term missing but stood in for by a synonym counting at the synonym's weight. 0 to 1.
   */
  coverage(key: string, query: CoverageQuery): number {
    const terms = this.#termsByKey.get(key);
    return terms === undefined ? 0 : this.#coverageIn(terms, query);
  }

  /** {@link coverage} for any text, e.g. one sentence of a passage. */
  coverageOfText(text: string, query: CoverageQuery): number {
    return this.#coverageIn(new Set(termsOf(text)), query);
  }

  #coverageIn(terms: ReadonlySet<string>, query: CoverageQuery): number {
    let found = 0;
    let total = 0;
    for (const base of query.baseTerms) {
      const weight = this.idf(base.term) * base.weight;
      total += weight;
      if (terms.has(base.term)) {
        found += weight;
        continue;
      }
      let credit = 0;
      for (const synonym of query.synonymTerms) {
        if (synonym.of === base.term && terms.has(synonym.term)) credit = Math.max(credit, synonym.weight);
      }
      found += weight * credit;
    }
    return total > 0 ? found / total : 0;
  }

  /** The best `limit` passages for a query by BM25 with term boosts, best first; only keys in `allowed` when given. */
  search(query: CoverageQuery, limit: number, allowed: ReadonlySet<string> | null = null): LexicalHit[] {
    const weights = new Map<string, number>();
    for (const { term, weight } of [...query.baseTerms, ...query.synonymTerms]) weights.set(term, Math.max(weights.get(term) ?? 0, weight));
    if (weights.size === 0) return [];
    return this.#search
      .search([...weights.keys()].join(' '), {
        tokenize: (text) => text.split(' '),
        boostTerm: (term) => weights.get(term) ?? 1,
        ...(allowed === null ? {} : { filter: (result) => allowed.has(String(result.id)) }),
      })
      .slice(0, limit)
      .map((result) => ({ key: String(result.id), score: result.score }));
  }
}
