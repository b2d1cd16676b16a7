// BM25 keyword search over passages, plus the term statistics used to judge relevance. Postings are typed arrays in
// parts (one per batch of speeches), so a corpus is searched without rebuilding and grows by adding a part. Pure.

import type { Query } from './query.ts';
import { TopScores } from './top-scores.ts';
import { termsOf } from './terms.ts';
import type { Passage } from './types.ts';

/** BM25+ constants (those MiniSearch used before, so rankings did not move): saturation, length weight, floor. */
export const BM25_PARAMETERS = { k: 1.2, b: 0.7, d: 0.5 } as const;

/** One keyword hit. */
export interface LexicalHit {
  key: string;
  /** BM25 score (unbounded). */
  score: number;
}

/** The part of a query that coverage is measured on. */
export type CoverageQuery = Pick<Query, 'baseTerms' | 'synonymTerms'>;

/** The passages of one term in a part: passage numbers within the part (ascending) and how often it occurs. */
export interface Posting {
  docs: Uint32Array;
  counts: Uint16Array;
}

/** The keyword index of a batch of passages, as stored: keys, speeches, lengths in terms, and postings. */
export interface LexicalPart {
  keys: readonly string[];
  speechIds: readonly string[];
  lengths: Uint16Array;
  postings: ReadonlyMap<string, Posting>;
  /** Passages of the part left out of searching (their speech was removed or replaced since the part was made). */
  removed?: ReadonlySet<number>;
}

/** Builds the part of some passages. */
export function buildLexicalPart(passages: readonly Passage[]): LexicalPart {
  const lists = new Map<string, { docs: number[]; counts: number[] }>();
  const lengths = new Uint16Array(passages.length);
  passages.forEach((passage, doc) => {
    const terms = termsOf(passage.text);
    lengths[doc] = Math.min(terms.length, 0xffff);
    const counts = new Map<string, number>();
    for (const term of terms) counts.set(term, (counts.get(term) ?? 0) + 1);
    for (const [term, count] of counts) {
      const list = lists.get(term) ?? { docs: [], counts: [] };
      list.docs.push(doc);
      list.counts.push(Math.min(count, 0xffff));
      lists.set(term, list);
    }
  });
  const postings = new Map<string, Posting>();
  for (const [term, list] of lists) postings.set(term, { docs: Uint32Array.from(list.docs), counts: Uint16Array.from(list.counts) });
  return { keys: passages.map((p) => p.key), speechIds: passages.map((p) => p.speechId), lengths, postings };
}

/** A BM25 index over parts, with document frequencies; a new one is made when parts are added or dropped. */
export class LexicalIndex {
  readonly #parts: readonly LexicalPart[];
  /** Where each part's passages start in the index's numbering. */
  readonly #bases: number[] = [];
  readonly #documentFrequency = new Map<string, number>();
  readonly #docOfKey = new Map<string, number>();
  readonly #size: number;
  readonly #averageLength: number;
  /** 1 for a passage left out of searching; null when no part leaves any out. */
  #removed: Uint8Array | null = null;
  #work: { scores: Float64Array; matched: Uint16Array; touched: Uint32Array; lengthNorm: Float32Array } | null = null;

  /** An index over `passages` (one part), or over parts built before (`{ parts }`, e.g. read from disk). */
  constructor(source: readonly Passage[] | { parts: readonly LexicalPart[] }) {
    this.#parts = Array.isArray(source) ? [buildLexicalPart(source as readonly Passage[])] : (source as { parts: readonly LexicalPart[] }).parts;
    ({ size: this.#size, averageLength: this.#averageLength } = this.#assemble());
  }

  /** Number of passages indexed. */
  get size(): number {
    return this.#size;
  }

  /** True when some passage holds `term`. */
  knows(term: string): boolean {
    return this.#documentFrequency.has(term);
  }

  /** Inverse document frequency of a term; a term the corpus lacks gets the highest value. */
  idf(term: string): number {
    const df = this.#documentFrequency.get(term) ?? 0;
    return Math.log(1 + (this.#size - df + 0.5) / (df + 0.5));
  }

  /**
   * Share of the query's information found in the passage with `key`: the idf-weighted share of its base terms
   * present, a term missing but stood in for by a synonym counting at the synonym's weight. 0 to 1.
   */
  coverage(key: string, query: CoverageQuery): number {
    const doc = this.#docOfKey.get(key);
    return doc === undefined ? 0 : this.#coverageBy((term) => this.#holds(doc, term), query);
  }

  /** {@link coverage} for any text, e.g. one sentence of a passage. */
  coverageOfText(text: string, query: CoverageQuery): number {
    const terms = new Set(termsOf(text));
    return this.#coverageBy((term) => terms.has(term), query);
  }

  /**
   * The best `limit` passages for a query by BM25 with term boosts, best first, scored as MiniSearch did (the sum
   * over terms times the number of terms matched); only passages of speeches `allowed` accepts, when given.
   */
  search(query: CoverageQuery, limit: number, allowed: ((speechId: string) => boolean) | null = null): LexicalHit[] {
    const weights = new Map<string, number>();
    for (const { term, weight } of [...query.baseTerms, ...query.synonymTerms]) weights.set(term, Math.max(weights.get(term) ?? 0, weight));
    if (weights.size === 0 || this.#size === 0) return [];
    const { scores, matched, touched, lengthNorm } = this.#scratch();
    const { k, d } = BM25_PARAMETERS;
    let count = 0;
    for (const [term, boost] of weights) {
      const weight = boost * this.idf(term);
      this.#parts.forEach((part, index) => {
        const posting = part.postings.get(term);
        if (posting === undefined) return;
        const base = this.#bases[index] ?? 0;
        const { docs, counts } = posting;
        for (let i = 0; i < docs.length; i += 1) {
          const doc = base + (docs[i] ?? 0);
          const tf = counts[i] ?? 0;
          if (matched[doc] === 0) touched[count++] = doc;
          scores[doc] = (scores[doc] ?? 0) + weight * (d + (tf * (k + 1)) / (tf + (lengthNorm[doc] ?? 0)));
          matched[doc] = (matched[doc] ?? 0) + 1;
        }
      });
    }
    const top = new TopScores(limit);
    let floor = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < count; i += 1) {
      const doc = touched[i] ?? 0;
      const score = (scores[doc] ?? 0) * (matched[doc] ?? 0);
      scores[doc] = 0;
      matched[doc] = 0;
      if (score <= floor || this.#isRemoved(doc) || (allowed !== null && !allowed(this.#speechOf(doc)))) continue;
      top.push(doc, score);
      floor = top.floor;
    }
    return top.sorted().map(({ id, score }) => ({ key: this.#keyOf(id), score }));
  }

  /**
   * Work arrays of one search, made once per index and left zeroed after each search (searches are synchronous),
   * and the length part of BM25's denominator of each passage.
   */
  #scratch(): { scores: Float64Array; matched: Uint16Array; touched: Uint32Array; lengthNorm: Float32Array } {
    if (this.#work === null) {
      const { k, b } = BM25_PARAMETERS;
      const lengthNorm = new Float32Array(this.#size);
      this.#parts.forEach((part, index) => {
        const base = this.#bases[index] ?? 0;
        part.lengths.forEach((length, local) => (lengthNorm[base + local] = k * (1 - b + (b * length) / this.#averageLength)));
      });
      this.#work = { scores: new Float64Array(this.#size), matched: new Uint16Array(this.#size), touched: new Uint32Array(this.#size), lengthNorm };
    }
    return this.#work;
  }

  #coverageBy(holds: (term: string) => boolean, query: CoverageQuery): number {
    let found = 0;
    let total = 0;
    for (const base of query.baseTerms) {
      const weight = this.idf(base.term) * base.weight;
      total += weight;
      if (holds(base.term)) {
        found += weight;
        continue;
      }
      let credit = 0;
      for (const synonym of query.synonymTerms) {
        if (synonym.of === base.term && holds(synonym.term)) credit = Math.max(credit, synonym.weight);
      }
      found += weight * credit;
    }
    return total > 0 ? found / total : 0;
  }

  /** True when passage `doc` holds `term` (a binary search in the term's postings of the passage's part). */
  #holds(doc: number, term: string): boolean {
    const { part, local } = this.#locate(doc);
    const docs = part?.postings.get(term)?.docs;
    if (docs === undefined) return false;
    let low = 0;
    let high = docs.length - 1;
    while (low <= high) {
      const mid = (low + high) >> 1;
      const value = docs[mid] ?? 0;
      if (value === local) return true;
      if (value < local) low = mid + 1;
      else high = mid - 1;
    }
    return false;
  }

  /** The part holding passage `doc` (the last whose base is at most `doc`) and its number within the part. */
  #locate(doc: number): { part: LexicalPart | undefined; local: number } {
    let low = 0;
    let high = this.#bases.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if ((this.#bases[mid] ?? 0) <= doc) low = mid;
      else high = mid - 1;
    }
    return { part: this.#parts[low], local: doc - (this.#bases[low] ?? 0) };
  }

  #isRemoved(doc: number): boolean {
    return this.#removed !== null && this.#removed[doc] === 1;
  }

  #keyOf(doc: number): string {
    const { part, local } = this.#locate(doc);
    return part?.keys[local] ?? '';
  }

  #speechOf(doc: number): string {
    const { part, local } = this.#locate(doc);
    return part?.speechIds[local] ?? '';
  }

  /** Numbers the parts' passages and sums document frequencies and lengths. */
  #assemble(): { size: number; averageLength: number } {
    let size = 0;
    let totalLength = 0;
    for (const part of this.#parts) {
      this.#bases.push(size);
      part.keys.forEach((key, local) => {
        if (part.removed?.has(local) !== true) this.#docOfKey.set(key, size + local);
      });
      for (const [term, posting] of part.postings) this.#documentFrequency.set(term, (this.#documentFrequency.get(term) ?? 0) + posting.docs.length);
      for (const length of part.lengths) totalLength += length;
      size += part.keys.length;
    }
    if (this.#parts.some((part) => (part.removed?.size ?? 0) > 0)) {
      const removed = new Uint8Array(size);
      this.#parts.forEach((part, index) => part.removed?.forEach((local) => (removed[(this.#bases[index] ?? 0) + local] = 1)));
      this.#removed = removed;
    }
    return { size, averageLength: size > 0 ? Math.max(1, totalLength / size) : 1 };
  }
}
