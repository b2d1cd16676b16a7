// Test doubles shared by unit tests: a bag-of-words fake Embedder with a synonym table, an in-memory VectorStore, a
// seeded PRNG, and a sample quoted passage.

import { DEFAULT_EMBEDDING_PROFILE, type EmbeddingProfile } from '../../server/core/model-profiles.ts';
import type { AnswerPassage } from '../../server/core/protocol.ts';
import type { Embedder, VectorHit, VectorStore } from '../../server/core/types.ts';

/** Words the fake embedder ignores, so short function words do not make unrelated texts look alike. */
const FAKE_STOP_WORDS = new Set(['the', 'and', 'for', 'with', 'their', 'they', 'how', 'what', 'who', 'our', 'are', 'this', 'that', 'from', 'into', 'does', 'do', 'is', 'of', 'to', 'in', 'on', 'we', 'it', 'a', 'an']);

/** FNV-1a hash of a string, as an unsigned 32-bit integer. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

/**
 * A deterministic bag-of-words embedder: lowercases, keeps words of 3+ letters that are not in a small stop
 * list, maps each through a synonym table to a canonical word, and adds 1 to the dimension the canonical
 * word hashes to. The vector is then L2-normalised (an empty text gives the zero vector).
 * Two texts whose words are synonyms therefore embed to the same direction even when they share no word.
 */
export class FakeEmbedder implements Embedder {
  readonly modelId: string;
  readonly dimension: number;
  readonly profile: EmbeddingProfile;
  readonly #synonyms: ReadonlyMap<string, string>;
  readonly #windowWords: number;
  /** Every batch embedded, queries and passages, in call order. */
  readonly calls: string[][] = [];

  /** `windowWords`: passages of more words are embedded in windows of that many words, as a token limit would. */
  constructor(options: { synonyms?: Record<string, string>; dimension?: number; modelId?: string; profile?: EmbeddingProfile; windowWords?: number } = {}) {
    this.dimension = options.dimension ?? 64;
    this.modelId = options.modelId ?? 'fake/bag-of-words';
    this.profile = options.profile ?? DEFAULT_EMBEDDING_PROFILE;
    this.#windowWords = options.windowWords ?? Number.POSITIVE_INFINITY;
    this.#synonyms = new Map(Object.entries(options.synonyms ?? {}));
  }

  /** The canonical words the fake sees in a text (after stop words and synonyms). */
  wordsOf(text: string): string[] {
    return (text.toLowerCase().match(/[a-z]+/g) ?? [])
      .filter((word) => word.length >= 3 && !FAKE_STOP_WORDS.has(word))
      .map((word) => this.#synonyms.get(word) ?? word);
  }

  embedOne(text: string): number[] {
    const vector = new Array<number>(this.dimension).fill(0);
    for (const word of this.wordsOf(text)) {
      const slot = fnv1a(word) % this.dimension;
      vector[slot] = (vector[slot] ?? 0) + 1;
    }
    const norm = Math.sqrt(vector.reduce((sum, x) => sum + x * x, 0));
    return norm > 0 ? vector.map((x) => x / norm) : vector;
  }

  async embedQueries(texts: readonly string[]): Promise<number[][]> {
    this.calls.push([...texts]);
    return texts.map((text) => this.embedOne(text));
  }

  /** One vector per passage, or one per window of `windowWords` words. */
  async embedPassages(texts: readonly string[]): Promise<number[][][]> {
    this.calls.push([...texts]);
    return texts.map((text) => {
      const words = text.split(/\s+/);
      if (words.length <= this.#windowWords) return [this.embedOne(text)];
      const windows: number[][] = [];
      for (let start = 0; start < words.length; start += this.#windowWords) windows.push(this.embedOne(words.slice(start, start + this.#windowWords).join(' ')));
      return windows;
    });
  }
}

/** An exact nearest-neighbour store over a fixed set of vectors, scored by dot product (unit vectors: cosine). */
export class FakeVectorStore implements VectorStore {
  readonly modelId: string;
  readonly dimension: number;
  readonly #entries: ReadonlyArray<{ key: string; vector: readonly number[] }>;

  constructor(modelId: string, dimension: number, entries: ReadonlyArray<{ key: string; vector: readonly number[] }>) {
    this.modelId = modelId;
    this.dimension = dimension;
    this.#entries = entries;
  }

  /** Embeds every text with `embedder` and stores it under its key. */
  static async build(embedder: Embedder, texts: ReadonlyArray<{ key: string; text: string }>): Promise<FakeVectorStore> {
    const vectors = await embedder.embedPassages(texts.map((t) => t.text));
    return new FakeVectorStore(
      embedder.modelId,
      embedder.dimension,
      texts.map((t, i) => ({ key: t.key, vector: vectors[i]?.[0] ?? [] })),
    );
  }

  get size(): number {
    return this.#entries.length;
  }

  async query(vector: readonly number[], topK: number, options: { allowed?: (speechId: string) => boolean } = {}): Promise<VectorHit[]> {
    const { allowed } = options;
    return this.#entries
      .filter(({ key }) => allowed === undefined || allowed(key.slice(0, key.lastIndexOf('#'))))
      .map(({ key, vector: stored }) => ({ key, score: stored.reduce((sum, x, i) => sum + x * (vector[i] ?? 0), 0) }))
      .sort((a, b) => b.score - a.score || a.key.localeCompare(b.key))
      .slice(0, topK);
  }
}

/** A small seeded PRNG (mulberry32): returns floats in [0, 1). Use instead of Math.random so failures replay. */
export { seededRandom } from '../../scripts/seeded-random.ts';

/** A quoted passage of an answer as the server sends it: the seed speech's paragraph 12, its first words highlighted. */
export const SAMPLE_PASSAGE: AnswerPassage = {
  rank: 1,
  score: 0.9,
  text: 'Forced labor is being addressed in the *current* GCM negotiations.',
  highlights: [[0, 12]],
  paragraph: 12,
  speech: { id: 'idm-2018-closing-remarks-swing', title: 'Closing Remarks', speaker: 'William Lacy Swing', date: '2018-03-27', event: '', place: 'New York' },
};
