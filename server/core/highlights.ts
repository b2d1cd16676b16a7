// Chooses the sentences of a quoted passage that best answer the question: by the question's term weight in
// each sentence, plus, with a model, each sentence's cosine to the question.

import { cosine } from './fusion.ts';
import type { CoverageQuery, LexicalIndex } from './lexical-index.ts';
import { pickHighlights, sentenceSpans, type Span } from './sentences.ts';
import type { Embedder } from './types.ts';

/** Sentence vectors kept: those of the passages quoted most recently (each a few kB). */
const MAX_CACHED_SENTENCES = 5_000;

/** Scores sentences for highlighting; caches sentence vectors, since passages recur across questions. */
export class Highlighter {
  readonly #lexical: LexicalIndex;
  readonly #embedder: Embedder | null;
  /** Sentence vectors by text, the most recently used last; at most {@link MAX_CACHED_SENTENCES}. */
  readonly #sentenceVectors = new Map<string, number[]>();

  constructor(deps: { lexical: LexicalIndex; embedder: Embedder | null }) {
    this.#lexical = deps.lexical;
    this.#embedder = deps.embedder;
  }

  /** The `[start, end)` spans of `text` to mark for this query. */
  async highlight(text: string, query: CoverageQuery, questionVector: readonly number[] | null): Promise<Span[]> {
    const spans = sentenceSpans(text);
    const sentences = spans.map(([start, end]) => text.slice(start, end));
    const scores = sentences.map((sentence) => this.#lexical.coverageOfText(sentence, query));
    if (this.#embedder !== null && questionVector !== null) {
      const vectors = await this.#vectorsOf(sentences, this.#embedder);
      vectors.forEach((vector, index) => {
        scores[index] = (scores[index] ?? 0) + Math.max(0, cosine(vector, questionVector));
      });
    }
    return pickHighlights(spans, scores);
  }

  async #vectorsOf(sentences: readonly string[], embedder: Embedder): Promise<number[][]> {
    const missing = [...new Set(sentences.filter((sentence) => !this.#sentenceVectors.has(sentence)))];
    const found = new Map<string, number[]>();
    if (missing.length > 0) {
      // A sentence is short enough for one window; its first is all there is.
      const vectors = await embedder.embedPassages(missing);
      missing.forEach((sentence, index) => found.set(sentence, vectors[index]?.[0] ?? []));
    }
    return sentences.map((sentence) => {
      const vector = found.get(sentence) ?? this.#sentenceVectors.get(sentence) ?? [];
      // Kept most recently used last, so that the oldest go first once the cache is full (the corpus may be large).
      this.#sentenceVectors.delete(sentence);
      this.#sentenceVectors.set(sentence, vector);
      if (this.#sentenceVectors.size > MAX_CACHED_SENTENCES) this.#sentenceVectors.delete(this.#sentenceVectors.keys().next().value as string);
      return vector;
    });
  }
}
