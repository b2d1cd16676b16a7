// Unit tests of the BM25 lexical index on a small made-up corpus: ranking, idf, coverage and degenerate questions.

import { describe, expect, it } from 'vitest';
import { LexicalIndex } from '../../server/core/lexical-index.ts';
import { buildQuery, type Query } from '../../server/core/query.ts';
import { termsOf } from '../../server/core/terms.ts';
import type { Passage } from '../../server/core/types.ts';

const TEXTS = {
  remit: 'Remittances sent home by migrant workers support families.',
  climate: 'Climate change drives displacement in coastal communities.',
  recruit: 'Fair recruitment protects migrant workers from debt.',
  data: 'Migrant data: reliable migrant statistics help.',
  youth: 'Youth participation strengthens migration governance.',
} as const;

const PASSAGES: Passage[] = Object.entries(TEXTS).map(([key, text], i) => ({ key, speechId: 'idm-test', paragraph: i + 1, text }));
const index = new LexicalIndex(PASSAGES);
const N = PASSAGES.length;

/** The BM25 idf of a term with document frequency `df` among N passages. */
const bm25Idf = (df: number, n = N): number => Math.log(1 + (n - df + 0.5) / (df + 0.5));

/** The query of a question, without synonyms or history. */
const q = (question: string): Query => buildQuery(question);
const NO_TERMS: Query = { text: '', context: null, understoodAs: '', ownTerms: [], baseTerms: [], synonymTerms: [], isFollowUp: false };

/** The single index term of a word. */
function t(word: string): string {
  const [only, ...rest] = termsOf(word);
  if (only === undefined || rest.length > 0) throw new Error(`"${word}" is not exactly one term`);
  return only;
}

describe('LexicalIndex size', () => {
  it('counts the passages indexed', () => {
    expect(index.size).toBe(5);
    expect(new LexicalIndex([]).size).toBe(0);
  });
});

describe('LexicalIndex.idf', () => {
  it('ranks a rare term above a common one', () => {
    // "remittances" is in 1 passage, "migrant" in 3.
    expect(index.idf(t('remittances'))).toBeGreaterThan(index.idf(t('migrant')));
  });

  it('gives a term the corpus lacks the highest value of all', () => {
    const unknown = index.idf('zzzunknownterm');
    for (const term of ['remittances', 'migrant', 'workers', 'climate']) expect(unknown).toBeGreaterThan(index.idf(t(term)));
  });

  it('equals the BM25 idf ln(1 + (N - df + 0.5) / (df + 0.5))', () => {
    expect(index.idf(t('remittances'))).toBeCloseTo(bm25Idf(1), 12); // ln 4
    expect(index.idf(t('workers'))).toBeCloseTo(bm25Idf(2), 12);
    expect(index.idf(t('migrant'))).toBeCloseTo(bm25Idf(3), 12);
    expect(index.idf('zzzunknownterm')).toBeCloseTo(bm25Idf(0), 12); // ln 12
  });

  it('counts a term once per passage however often it repeats there', () => {
    // "migrant" appears twice in the data passage; df is still 3, not 4.
    expect(index.idf(t('migrant'))).toBeCloseTo(bm25Idf(3), 12);
  });

  it('is always positive, even for a term in every passage', () => {
    const everywhere = new LexicalIndex([
      { key: 'a', speechId: 's', paragraph: 1, text: 'migration matters' },
      { key: 'b', speechId: 's', paragraph: 2, text: 'migration again' },
    ]);
    expect(everywhere.idf(t('migration'))).toBeGreaterThan(0);
    expect(everywhere.idf(t('migration'))).toBeCloseTo(bm25Idf(2, 2), 12);
  });
});

describe('query terms', () => {
  it('are the distinct index terms of a question, without stop words', () => {
    expect(q('What do migrants and the migrant workers say about migrants?').baseTerms.map((x) => x.term)).toEqual([t('migrant'), t('workers')]);
  });

  it('are none for a question of stop words only', () => {
    expect(q('What is it that they would say?').baseTerms).toEqual([]);
  });
});

describe('LexicalIndex.search', () => {
  it('finds the only passage holding a rare keyword', () => {
    const hits = index.search(q('remittances'), 10);
    expect(hits.map((h) => h.key)).toEqual(['remit']);
    expect(index.coverage('remit', q('remittances'))).toBe(1);
    expect(hits[0]?.score).toBeGreaterThan(0);
  });

  it('ranks by BM25: more occurrences first, then the shorter passage for equal counts', () => {
    // data has "migrant" twice; recruit (6 terms) is shorter than remit (7 terms), both once.
    expect(index.search(q('migrant'), 10).map((h) => h.key)).toEqual(['data', 'recruit', 'remit']);
  });

  it('ranks the passage matching all question terms first', () => {
    const hits = index.search(q('migrant workers in debt'), 10);
    expect(hits[0]?.key).toBe('recruit');
    expect(index.coverage('recruit', q('migrant workers in debt'))).toBe(1);
    expect(hits.map((h) => h.key)).toEqual(['recruit', 'remit', 'data']);
  });

  it('returns hits in non-increasing score order', () => {
    const hits = index.search(q('migrant workers migration governance climate'), 10);
    expect(hits.length).toBeGreaterThan(2);
    for (let i = 1; i < hits.length; i += 1) expect(hits[i - 1]?.score ?? 0).toBeGreaterThanOrEqual(hits[i]?.score ?? 0);
  });

  it('matches any question term (OR), not all of them', () => {
    expect(index.search(q('remittances climate'), 10).map((h) => h.key).sort()).toEqual(['climate', 'remit']);
  });

  it('matches across British and American spelling and across inflections', () => {
    expect(index.search(q('remittance'), 10).map((h) => h.key)).toEqual(['remit']);
    expect(index.search(q('Migrants\u2019 statistic'), 10)[0]?.key).toBe('data');
  });

  it('returns at most `limit` hits', () => {
    expect(index.search(q('migrant'), 2)).toHaveLength(2);
    expect(index.search(q('migrant'), 1).map((h) => h.key)).toEqual(['data']);
  });

  it('weights synonym terms below the question\'s own terms', () => {
    const synonyms = (word: string) => (word === 'money' ? ['remittances'] : []);
    const expanded = buildQuery('money climate', { synonyms });
    expect(index.search(expanded, 10).map((h) => h.key)).toEqual(['climate', 'remit']);
  });

  it.each(['', '   ', 'What is it that they would say?', '1 2 3 a b c', '?!...'])('returns [] for the question %j', (question) => {
    expect(index.search(q(question), 10)).toEqual([]);
  });

  it('returns [] when no question term is in the corpus', () => {
    expect(index.search(q('chocolate cake recipe'), 10)).toEqual([]);
  });

  it('returns [] on an empty index', () => {
    expect(new LexicalIndex([]).search(q('migration'), 10)).toEqual([]);
  });
});

describe('LexicalIndex.coverage', () => {
  it('is 0 when the passage holds none of the question terms', () => {
    expect(index.coverage('climate', q('remittances migrant'))).toBe(0);
  });

  it('is 1 when the passage holds all of them', () => {
    expect(index.coverage('remit', q('remittances sent by migrants'))).toBe(1);
  });

  it('is the share of idf mass found when the passage holds some of them', () => {
    // Both terms are in exactly one passage, so each carries half of the weight.
    expect(index.coverage('remit', q('remittances climate'))).toBeCloseTo(0.5, 12);
    // A common term found, a rare one missing: less than half.
    const terms = q('migrant remittances');
    const expected = bm25Idf(3) / (bm25Idf(3) + bm25Idf(1));
    expect(index.coverage('recruit', terms)).toBeCloseTo(expected, 12);
    expect(index.coverage('recruit', terms)).toBeLessThan(0.5);
  });

  it('counts terms missing from the whole corpus at the highest weight', () => {
    const terms = q('remittances zzzunknownterm');
    expect(index.coverage('remit', terms)).toBeCloseTo(bm25Idf(1) / (bm25Idf(1) + bm25Idf(0)), 12);
  });

  it('is 0 for an unknown key and for no question terms', () => {
    expect(index.coverage('no-such-key', q('remittances'))).toBe(0);
    expect(index.coverage('remit', NO_TERMS)).toBe(0);
  });
});

describe('LexicalIndex.coverageOfText', () => {
  it('measures coverage in any text with the corpus idf', () => {
    const terms = q('remittances climate');
    expect(index.coverageOfText('Remittances matter.', terms)).toBeCloseTo(0.5, 12);
    expect(index.coverageOfText('Climate and remittances.', terms)).toBe(1);
    expect(index.coverageOfText('Nothing relevant here.', terms)).toBe(0);
  });

  it('analyses the text the same way as passages (folding, spelling, stemming)', () => {
    const terms = q('labour organisation');
    expect(index.coverageOfText('LABOR ORGANIZATIONS', terms)).toBe(1);
  });

  it('agrees with coverage() on a passage text', () => {
    const terms = q('migrant workers debt');
    for (const passage of PASSAGES) expect(index.coverageOfText(passage.text, terms)).toBeCloseTo(index.coverage(passage.key, terms), 12);
  });

  it('is 0 for empty text or no question terms', () => {
    expect(index.coverageOfText('', q('remittances'))).toBe(0);
    expect(index.coverageOfText('Remittances', NO_TERMS)).toBe(0);
  });
});

describe('coverage with synonyms', () => {
  it('credits a missing term at its synonym\'s weight when the synonym is present', () => {
    const synonyms = (word: string) => (word === 'money' ? ['remittances'] : []);
    const query = buildQuery('money', { synonyms, options: { synonymWeight: 0.5 } });
    expect(index.coverage('remit', query)).toBeCloseTo(0.5, 12);
    expect(index.coverage('climate', query)).toBe(0);
  });
});
