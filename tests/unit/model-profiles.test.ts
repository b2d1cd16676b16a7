// Unit tests of embedding profiles: lookup by model id or folder name, unknown models, profile equality and
// the overlapping token windows of long passages.

import { describe, expect, it } from 'vitest';
import {
  DEFAULT_EMBEDDING_PROFILE,
  embeddingProfileFor,
  KNOWN_EMBEDDING_PROFILES,
  modelName,
  sameProfile,
  tokenWindows,
} from '../../server/core/model-profiles.ts';

const range = (n: number): number[] => Array.from({ length: n }, (_v, i) => i);

describe('embeddingProfileFor', () => {
  it('finds a known model by its hub id, its folder name, in any case', () => {
    for (const id of ['Xenova/bge-small-en-v1.5', 'BAAI/bge-small-en-v1.5', 'bge-small-en-v1.5', 'BGE-Small-EN-v1.5']) {
      const { profile, known } = embeddingProfileFor(id);
      expect(known, id).toBe(true);
      expect(profile, id).toEqual(KNOWN_EMBEDDING_PROFILES['bge-small-en-v1.5']);
    }
    expect(modelName('Xenova/all-MiniLM-L6-v2')).toBe('all-minilm-l6-v2');
  });

  it('knows how each measured model is used', () => {
    expect(embeddingProfileFor('Xenova/all-MiniLM-L6-v2').profile).toMatchObject({ pooling: 'mean', queryPrefix: '', passagePrefix: '', maxTokens: 256 });
    expect(embeddingProfileFor('Xenova/bge-small-en-v1.5').profile).toMatchObject({ pooling: 'cls', passagePrefix: '', maxTokens: 512 });
    expect(embeddingProfileFor('Xenova/bge-small-en-v1.5').profile.queryPrefix).toMatch(/^Represent this sentence/);
    expect(embeddingProfileFor('Xenova/e5-small-v2').profile).toMatchObject({ pooling: 'mean', queryPrefix: 'query: ', passagePrefix: 'passage: ', maxTokens: 512 });
    for (const profile of Object.values(KNOWN_EMBEDDING_PROFILES)) expect(profile.normalize).toBe(true);
  });

  it('gives an unknown model the default profile', () => {
    expect(embeddingProfileFor('someone/unknown-model')).toEqual({ profile: DEFAULT_EMBEDDING_PROFILE, known: false });
  });

  it('caps the token limit at what the tokenizer declares, never raising it', () => {
    expect(embeddingProfileFor('someone/unknown-model', { tokenizerLimit: 128 }).profile.maxTokens).toBe(128);
    expect(embeddingProfileFor('someone/unknown-model', { tokenizerLimit: 4096 }).profile.maxTokens).toBe(DEFAULT_EMBEDDING_PROFILE.maxTokens);
    expect(embeddingProfileFor('Xenova/e5-small-v2', { tokenizerLimit: 300 }).profile.maxTokens).toBe(300);
  });

  it('ignores a tokenizer limit that is not a positive finite number', () => {
    for (const tokenizerLimit of [0, -5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(embeddingProfileFor('someone/unknown-model', { tokenizerLimit }).profile.maxTokens).toBe(DEFAULT_EMBEDDING_PROFILE.maxTokens);
    }
  });

  it('hands out a copy: changing it leaves the known profiles alone', () => {
    const { profile } = embeddingProfileFor('Xenova/all-MiniLM-L6-v2');
    profile.maxTokens = 1;
    expect(embeddingProfileFor('Xenova/all-MiniLM-L6-v2').profile.maxTokens).toBe(256);
  });
});

describe('sameProfile', () => {
  it('is true for equal settings and false when any one differs', () => {
    expect(sameProfile(DEFAULT_EMBEDDING_PROFILE, { ...DEFAULT_EMBEDDING_PROFILE })).toBe(true);
    const changes = [{ pooling: 'cls' as const }, { normalize: false }, { queryPrefix: 'query: ' }, { passagePrefix: 'passage: ' }, { maxTokens: 512 }, { windowOverlap: 32 }];
    for (const change of changes) expect(sameProfile(DEFAULT_EMBEDDING_PROFILE, { ...DEFAULT_EMBEDDING_PROFILE, ...change }), JSON.stringify(change)).toBe(false);
  });
});

describe('tokenWindows', () => {
  it('keeps a passage that fits as one window, also when it fits exactly or is empty', () => {
    expect(tokenWindows(range(5), { room: 8, overlap: 2 })).toEqual([range(5)]);
    expect(tokenWindows(range(8), { room: 8, overlap: 2 })).toEqual([range(8)]);
    expect(tokenWindows([], { room: 8, overlap: 2 })).toEqual([[]]);
  });

  it('cuts a longer passage into windows of the room, consecutive ones sharing the overlap', () => {
    expect(tokenWindows(range(10), { room: 4, overlap: 1 })).toEqual([
      [0, 1, 2, 3],
      [3, 4, 5, 6],
      [6, 7, 8, 9],
    ]);
  });

  it('ends the last window at the passage\'s end, so no tail is lost', () => {
    const windows = tokenWindows(range(11), { room: 4, overlap: 1 });
    expect(windows.at(-1)?.at(-1)).toBe(10);
    expect(windows.at(-1)).toEqual([9, 10]);
    expect(new Set(windows.flat())).toEqual(new Set(range(11)));
  });

  it('covers every token, in order, within the room, whatever the sizes', () => {
    for (const length of [1, 7, 50, 257, 1000]) {
      for (const [room, overlap] of [[1, 0], [3, 1], [16, 4], [256, 64], [510, 128]] as const) {
        const tokens = range(length);
        const windows = tokenWindows(tokens, { room, overlap });
        expect([...new Set(windows.flat())]).toEqual(tokens);
        for (const window of windows) expect(window.length).toBeLessThanOrEqual(room);
        for (const window of windows) expect(window).toEqual(range(window.length).map((i) => (window[0] ?? 0) + i));
        for (let i = 1; i < windows.length; i += 1) expect(windows[i]?.[0]).toBe((windows[i - 1]?.at(-1) ?? 0) - Math.min(overlap, room - 1) + 1);
        expect(windows.at(-1)?.at(-1)).toBe(length - 1);
      }
    }
  });

  it('still moves forward when the overlap is as large as the room or larger', () => {
    for (const overlap of [3, 4, 100]) {
      const windows = tokenWindows(range(6), { room: 3, overlap });
      expect(windows).toEqual([
        [0, 1, 2],
        [1, 2, 3],
        [2, 3, 4],
        [3, 4, 5],
      ]);
    }
  });

  it('treats a room under 1 as 1 and copies the tokens it is given', () => {
    expect(tokenWindows(['a', 'b'], { room: 0, overlap: 0 })).toEqual([['a'], ['b']]);
    const tokens = ['a'];
    const [window] = tokenWindows(tokens, { room: 4, overlap: 0 });
    expect(window).not.toBe(tokens);
  });
});
