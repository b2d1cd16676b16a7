// The domain types of the pure core and the interfaces it needs from adapters (Embedder, VectorStore).

import type { EmbeddingProfile } from './model-profiles.ts';
import type { SpeechMeta } from './speech-meta.ts';

/** Metadata of one speech; its fields are defined once, in the table of `speech-meta.ts`. */
export type { SpeechMeta };

/** One content paragraph of a speech as a reader sees it. */
export interface Paragraph {
  /** 1-based number among the speech's content paragraphs. */
  n: number;
  /** The paragraph text, verbatim but for joined page breaks, folded line wraps and removed markup. */
  text: string;
  /** Offset of the paragraph's first character in the original text. */
  start: number;
  /** Offset just past the paragraph's last character in the original text. */
  end: number;
}

/** A speech: its metadata and its content paragraphs. */
export interface Speech {
  meta: SpeechMeta;
  paragraphs: Paragraph[];
}

/** A paragraph addressed within the corpus; the unit of retrieval. */
export interface Passage {
  /** Stable key `speechId#n`. */
  key: string;
  speechId: string;
  paragraph: number;
  text: string;
}

/**
 * Turns texts into vectors, as its model's profile says (pooling, prefixes, token limit). Implemented by the
 * transformers adapter and by fakes in tests.
 */
export interface Embedder {
  /** The model id recorded in the index, e.g. `Xenova/all-MiniLM-L6-v2`. */
  readonly modelId: string;
  /** Length of every vector it returns. */
  readonly dimension: number;
  /** How the model is used; recorded in the index, so that vectors made otherwise are never mixed in. */
  readonly profile: EmbeddingProfile;
  /** Embeds questions in order (with the model's query prefix), one vector each, cut at the token limit. */
  embedQueries(texts: readonly string[]): Promise<number[][]>;
  /**
   * Embeds passages in order (with the model's passage prefix). A passage longer than the model's token limit is
   * embedded in overlapping windows, so its tail is not lost: one vector per window, at least one per passage.
   */
  embedPassages(texts: readonly string[]): Promise<number[][][]>;
}

/** One nearest-neighbour hit. */
export interface VectorHit {
  key: string;
  /** Cosine similarity in [-1, 1]. */
  score: number;
}

/** A read-only nearest-neighbour store over passage vectors. */
export interface VectorStore {
  readonly modelId: string;
  readonly dimension: number;
  /** Number of passages held. */
  readonly size: number;
  /**
   * The `topK` passages closest to `vector`, best first; a passage embedded in windows scores by its closest one.
   * With `allowed`, only passages of the speeches it accepts (the others do not use up `topK`).
   */
  query(vector: readonly number[], topK: number, options?: { allowed?: (speechId: string) => boolean }): Promise<VectorHit[]>;
}

/** Every retrieval: BM25 only, dense vectors only (evaluation), or the two fused. */
export const RETRIEVAL_MODES = ['lexical', 'dense', 'hybrid'] as const;

/** Which retrieval is answering. */
export type RetrievalMode = (typeof RETRIEVAL_MODES)[number];

/** Scores (question, passage) pairs with a cross-encoder; higher is more relevant. */
export interface Reranker {
  readonly modelId: string;
  /** One score per passage, in order. */
  score(question: string, passages: readonly string[]): Promise<number[]>;
}

/** Synonyms of a folded word (e.g. from WordNet), most common sense first; [] when none are known. */
export type SynonymLookup = (word: string) => readonly string[];
