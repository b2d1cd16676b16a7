// Unit tests of reciprocal rank fusion, its ceiling score and cosine similarity, with hand-computed values.

import { describe, expect, it } from 'vitest';
import { cosine, maxFusedScore, reciprocalRankFusion, type RankedList } from '../../server/core/fusion.ts';

const K60 = { k: 60 };

describe('reciprocalRankFusion', () => {
  it('scores one list as weight / (k + rank), rank from 1', () => {
    expect(reciprocalRankFusion([{ keys: ['a', 'b', 'c'], weight: 1 }], K60)).toEqual([
      { key: 'a', score: 1 / 61 },
      { key: 'b', score: 1 / 62 },
      { key: 'c', score: 1 / 63 },
    ]);
  });

  it('adds the contributions of every list a key is in, with their weights', () => {
    const fused = reciprocalRankFusion(
      [
        { keys: ['a', 'b', 'c'], weight: 1 },
        { keys: ['c', 'a'], weight: 2 },
      ],
      K60,
    );
    const expected = new Map([
      ['a', 1 / 61 + 2 / 62],
      ['b', 1 / 62],
      ['c', 1 / 63 + 2 / 61],
    ]);
    // c ≈ 0.04866, a ≈ 0.04865, b ≈ 0.01613
    expect(fused.map((e) => e.key)).toEqual(['c', 'a', 'b']);
    for (const entry of fused) expect(entry.score).toBeCloseTo(expected.get(entry.key) ?? Number.NaN, 15);
  });

  it('lets a heavier list win over rank', () => {
    const fused = reciprocalRankFusion(
      [
        { keys: ['lex'], weight: 1 },
        { keys: ['dense'], weight: 1.5 },
      ],
      K60,
    );
    expect(fused).toEqual([
      { key: 'dense', score: 1.5 / 61 },
      { key: 'lex', score: 1 / 61 },
    ]);
  });

  it('uses k: a smaller k separates ranks more', () => {
    const fused = reciprocalRankFusion([{ keys: ['a', 'b'], weight: 1 }], { k: 0 });
    expect(fused).toEqual([
      { key: 'a', score: 1 },
      { key: 'b', score: 0.5 },
    ]);
  });

  it('breaks ties by the order keys were first seen, so the first list wins', () => {
    const fused = reciprocalRankFusion(
      [
        { keys: ['p', 'q'], weight: 1 },
        { keys: ['q', 'p'], weight: 1 },
      ],
      K60,
    );
    expect(fused.map((e) => e.key)).toEqual(['p', 'q']);
    expect(fused[0]?.score).toBe(fused[1]?.score);
    const swapped = reciprocalRankFusion(
      [
        { keys: ['q', 'p'], weight: 1 },
        { keys: ['p', 'q'], weight: 1 },
      ],
      K60,
    );
    expect(swapped.map((e) => e.key)).toEqual(['q', 'p']);
  });

  it('breaks ties between keys found by different lists in list order', () => {
    const fused = reciprocalRankFusion(
      [
        { keys: ['x'], weight: 1 },
        { keys: ['y'], weight: 1 },
      ],
      K60,
    );
    expect(fused).toEqual([
      { key: 'x', score: 1 / 61 },
      { key: 'y', score: 1 / 61 },
    ]);
  });

  it('returns each key once, best first', () => {
    const fused = reciprocalRankFusion(
      [
        { keys: ['a', 'b', 'c', 'd'], weight: 1 },
        { keys: ['d', 'c', 'e'], weight: 1 },
      ],
      K60,
    );
    expect(fused.map((e) => e.key).sort()).toEqual(['a', 'b', 'c', 'd', 'e']);
    for (let i = 1; i < fused.length; i += 1) expect(fused[i - 1]?.score ?? 0).toBeGreaterThanOrEqual(fused[i]?.score ?? 0);
  });

  it('returns [] for no lists or only empty lists', () => {
    expect(reciprocalRankFusion([], K60)).toEqual([]);
    expect(reciprocalRankFusion([{ keys: [], weight: 1 }], K60)).toEqual([]);
  });
});

describe('maxFusedScore', () => {
  it('is the sum of weight / (k + 1): a key first in every list', () => {
    const lists: RankedList[] = [
      { keys: ['a', 'b'], weight: 1 },
      { keys: ['a'], weight: 2 },
    ];
    expect(maxFusedScore(lists, K60)).toBeCloseTo(3 / 61, 15);
    expect(reciprocalRankFusion(lists, K60)[0]?.score).toBeCloseTo(maxFusedScore(lists, K60), 15);
  });

  it('bounds every fused score', () => {
    const lists: RankedList[] = [
      { keys: ['a', 'b', 'c'], weight: 1 },
      { keys: ['c', 'b', 'a'], weight: 1 },
    ];
    const ceiling = maxFusedScore(lists, K60);
    expect(ceiling).toBeCloseTo(2 / 61, 15);
    for (const entry of reciprocalRankFusion(lists, K60)) expect(entry.score).toBeLessThan(ceiling);
  });

  it('counts a list by its weight even when it is empty, and is 0 for no lists', () => {
    expect(maxFusedScore([{ keys: [], weight: 1 }], K60)).toBeCloseTo(1 / 61, 15);
    expect(maxFusedScore([], K60)).toBe(0);
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
