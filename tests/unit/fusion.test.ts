// Unit tests of the ranking of keyword and dense hits (lexical, dense, hybrid) and of cosine similarity,
// with hand-computed values.

import { describe, expect, it } from 'vitest';
import { cosine, fuseHits, type FusionInput, type FusionWeights } from '../../server/core/fusion.ts';
import { seededRandom } from './fakes.ts';

const WEIGHTS: FusionWeights = { lexicalWeight: 0.05, coverageWeight: 0.1, speakerBoost: 0.05 };
const CEILING = 1 + 0.05 + 0.1 + 0.05;

/** A fusion input with no hits, no coverage and no speaker named, overridden by `fields`. */
function input(fields: Partial<FusionInput> & { coverage?: Record<string, number>; speakerKeys?: string[] }): FusionInput {
  const { coverage = {}, speakerKeys = [], ...rest } = fields;
  return {
    mode: 'hybrid',
    keywordHits: [],
    denseHits: [],
    weights: WEIGHTS,
    coverageOf: (key) => coverage[key] ?? 0,
    bySpeaker: (key) => speakerKeys.includes(key),
    ...rest,
  };
}

describe('fuseHits in lexical mode', () => {
  it('scores BM25 relative to the best hit, scaled by the best hit\'s coverage, over 1 + speakerBoost', () => {
    const fused = fuseHits(input({ mode: 'lexical', keywordHits: [{ key: 'a', score: 10 }, { key: 'b', score: 5 }], coverage: { a: 0.8, b: 1 } }));
    expect(fused.map((hit) => hit.key)).toEqual(['a', 'b']);
    expect(fused[0]?.score).toBeCloseTo(0.8 / 1.05, 12);
    expect(fused[1]?.score).toBeCloseTo(0.4 / 1.05, 12);
    expect(fused.every((hit) => hit.cosine === null)).toBe(true);
  });

  it('ignores dense hits', () => {
    const fused = fuseHits(input({ mode: 'lexical', keywordHits: [{ key: 'a', score: 2 }], denseHits: [{ key: 'z', score: 0.9 }], coverage: { a: 1 } }));
    expect(fused.map((hit) => hit.key)).toEqual(['a']);
    expect(fused[0]?.score).toBeCloseTo(1 / 1.05, 12);
  });

  it('adds the speaker boost, which may lift a passage above a better keyword match', () => {
    const keywordHits = [{ key: 'a', score: 10 }, { key: 'b', score: 9.8 }];
    const fused = fuseHits(input({ mode: 'lexical', keywordHits, coverage: { a: 1 }, speakerKeys: ['b'] }));
    expect(fused.map((hit) => hit.key)).toEqual(['b', 'a']);
    expect(fused[0]?.score).toBeCloseTo((0.98 + 0.05) / 1.05, 12);
  });

  it('gives only the boost when the best hit covers none of the topic', () => {
    const fused = fuseHits(input({ mode: 'lexical', keywordHits: [{ key: 'a', score: 3 }, { key: 'b', score: 1 }], speakerKeys: ['b'] }));
    expect(fused).toEqual([
      { key: 'b', score: expect.closeTo(0.05 / 1.05, 12), cosine: null },
      { key: 'a', score: 0, cosine: null },
    ]);
  });
});

describe('fuseHits in dense mode', () => {
  it('scores by the cosine alone, clamped at 0, and ignores keyword hits', () => {
    const fused = fuseHits(
      input({ mode: 'dense', denseHits: [{ key: 'a', score: 0.7 }, { key: 'b', score: -0.2 }], keywordHits: [{ key: 'k', score: 9 }], coverage: { b: 1 } }),
    );
    expect(fused).toEqual([
      { key: 'a', score: 0.7, cosine: 0.7 },
      { key: 'b', score: 0, cosine: -0.2 },
    ]);
  });
});

describe('fuseHits in hybrid mode', () => {
  const denseHits = [{ key: 'a', score: 0.6 }, { key: 'b', score: 0.5 }];

  it('adds shares of relative BM25 and coverage to the cosine, over the best possible score', () => {
    const fused = fuseHits(input({ denseHits, keywordHits: [{ key: 'b', score: 8 }, { key: 'c', score: 4 }], coverage: { b: 1, c: 0.5 } }));
    expect(fused).toEqual([
      { key: 'b', score: expect.closeTo((0.5 + 0.05 + 0.1) / CEILING, 12), cosine: 0.5 },
      { key: 'a', score: expect.closeTo(0.6 / CEILING, 12), cosine: 0.6 },
      { key: 'c', score: expect.closeTo((0.5 + 0.05 * 0.5 + 0.1 * 0.5) / CEILING, 12), cosine: null },
    ]);
  });

  it('counts a passage outside the dense pool with the pool\'s last cosine, which it cannot beat on equal words', () => {
    const keywordHits = [{ key: 'b', score: 8 }, { key: 'c', score: 8 }];
    const fused = fuseHits(input({ denseHits, keywordHits, coverage: { b: 1, c: 1 } }));
    const score = (key: string) => fused.find((hit) => hit.key === key)?.score ?? Number.NaN;
    expect(score('c')).toBeCloseTo(score('b'), 12);
    expect(fused.find((hit) => hit.key === 'c')?.cosine).toBeNull();
  });

  it('uses a floor cosine of 0 when there are no dense hits', () => {
    const fused = fuseHits(input({ keywordHits: [{ key: 'c', score: 2 }], coverage: { c: 1 } }));
    expect(fused).toEqual([{ key: 'c', score: expect.closeTo(0.15 / CEILING, 12), cosine: null }]);
  });

  it('adds the speaker boost to a passage of the named speaker', () => {
    const fused = fuseHits(input({ denseHits: [{ key: 'a', score: 0.62 }, { key: 'b', score: 0.6 }], speakerKeys: ['b'] }));
    expect(fused.map((hit) => hit.key)).toEqual(['b', 'a']);
    expect(fused[0]?.score).toBeCloseTo(0.65 / CEILING, 12);
  });

  it('reaches 1 exactly for a perfect passage and never leaves [0, 1]', () => {
    const perfect = fuseHits(input({ denseHits: [{ key: 'a', score: 1 }], keywordHits: [{ key: 'a', score: 3 }], coverage: { a: 1 }, speakerKeys: ['a'] }));
    expect(perfect[0]?.score).toBeCloseTo(1, 12);
    const negative = fuseHits(input({ denseHits: [{ key: 'a', score: -0.9 }] }));
    expect(negative[0]?.score).toBe(0);
  });

  it('returns each key once, best first, with scores in [0, 1], whatever the hits', () => {
    const random = seededRandom(7);
    for (let round = 0; round < 50; round += 1) {
      const keys = ['a', 'b', 'c', 'd', 'e', 'f'];
      const dense = keys.filter(() => random() < 0.6).map((key) => ({ key, score: random() * 2 - 1 })).sort((x, y) => y.score - x.score);
      const keyword = keys.filter(() => random() < 0.6).map((key) => ({ key, score: random() * 20 })).sort((x, y) => y.score - x.score);
      const coverage = Object.fromEntries(keys.map((key) => [key, random()]));
      for (const mode of ['lexical', 'dense', 'hybrid'] as const) {
        const fused = fuseHits(input({ mode, denseHits: dense, keywordHits: keyword, coverage, speakerKeys: ['a', 'd'] }));
        expect(new Set(fused.map((hit) => hit.key)).size).toBe(fused.length);
        for (const hit of fused) expect(hit.score).toBeGreaterThanOrEqual(0);
        for (const hit of fused) expect(hit.score).toBeLessThanOrEqual(1);
        for (let i = 1; i < fused.length; i += 1) expect(fused[i - 1]?.score ?? 0).toBeGreaterThanOrEqual(fused[i]?.score ?? 0);
      }
    }
  });

  it('returns [] without hits in every mode', () => {
    for (const mode of ['lexical', 'dense', 'hybrid'] as const) expect(fuseHits(input({ mode }))).toEqual([]);
  });
});

describe('cosine', () => {
  it('is the dot product for unit vectors', () => {
    const a = [0.6, 0.8, 0];
    const b = [0.8, 0.6, 0];
    expect(cosine(a, b)).toBeCloseTo(0.96, 12);
  });

  it('is 1 for the same direction whatever the lengths', () => {
    expect(cosine([1, 2, 3], [2, 4, 6])).toBeCloseTo(1, 12);
  });

  it('is 0 for orthogonal and -1 for opposite vectors', () => {
    expect(cosine([1, 0], [0, 5])).toBe(0);
    expect(cosine([1, 2], [-1, -2])).toBeCloseTo(-1, 12);
  });

  it('normalises vectors that are not unit length', () => {
    // (3,4)·(4,3) = 24; |a||b| = 25.
    expect(cosine([3, 4], [4, 3])).toBeCloseTo(24 / 25, 12);
  });

  it('is symmetric', () => {
    const a = [0.1, -0.7, 0.3, 0.2];
    const b = [0.5, 0.1, -0.2, 0.9];
    expect(cosine(a, b)).toBeCloseTo(cosine(b, a), 15);
  });

  it('is 0 when either vector is zero or empty', () => {
    expect(cosine([0, 0], [1, 1])).toBe(0);
    expect(cosine([1, 1], [0, 0])).toBe(0);
    expect(cosine([], [])).toBe(0);
  });
});
