// Answers a question with the best-matching passages: BM25, optionally fused with dense vectors,
// a relevance gate that refuses off-topic questions, and sentence highlights. Pure: adapters are injected.

import { cosine, maxFusedScore, reciprocalRankFusion, type RankedList } from './fusion.ts';
import { LexicalIndex, type LexicalHit } from './lexical-index.ts';
import type { AnswerPassage, AskFilter, CitedSpeech } from './protocol.ts';
import { pickHighlights, sentenceSpans, type Span } from './sentences.ts';
import type { Embedder, Passage, RetrievalMode, Speech, VectorHit, VectorStore } from './types.ts';

/** Tunable constants of retrieval. */
export interface RetrievalOptions {
  /** How many candidates each retriever contributes before fusion. */
  candidatePool: number;
  /** The `k` of reciprocal rank fusion: larger flattens the rank curve. */
  rrfK: number;
  lexicalWeight: number;
  denseWeight: number;
  /** A question is answered only when some passage holds at least this share of its term weight. */
  minLexicalCoverage: number;
  /** In hybrid mode a question is also answered when the best cosine reaches this. */
  minDenseScore: number;
  /** A passage is quoted at all only when it reaches this coverage… */
  minPassageCoverage: number;
  /** …or, in hybrid mode, a cosine no more than this below `minDenseScore`. */
  denseFollowerMargin: number;
  /** A passage after the first also needs this share of the best passage's coverage, unless its cosine qualifies. */
  minRelativeCoverage: number;
}

/** Defaults, chosen on the development questions (see README, "Retrieval"). */
export const DEFAULT_RETRIEVAL_OPTIONS: RetrievalOptions = {
  candidatePool: 30,
  rrfK: 60,
  lexicalWeight: 1,
  denseWeight: 1,
  minLexicalCoverage: 0.3,
  minDenseScore: 0.45,
  minPassageCoverage: 0.15,
  denseFollowerMargin: 0.1,
  minRelativeCoverage: 0.4,
};

/** Dense retrieval: the model that embeds questions and the vectors of the passages. */
export interface DenseRetrieval {
  embedder: Embedder;
  vectors: VectorStore;
}

/** Options of one question. */
export interface AskOptions {
  topK: number;
  /** Only passages of these speeches or dates. */
  filter?: AskFilter;
}

/** What {@link Retriever.ask} returns. */
export interface RetrievalAnswer {
  mode: RetrievalMode;
  noAnswer: boolean;
  passages: AnswerPassage[];
}

interface Candidate {
  passage: Passage;
  coverage: number;
  cosine: number | null;
  score: number;
}

/** Retrieval over one fixed corpus. Build a new one when the corpus or the model changes. */
export class Retriever {
  readonly mode: RetrievalMode;
  readonly #lexical: LexicalIndex;
  readonly #dense: DenseRetrieval | null;
  readonly #options: RetrievalOptions;
  readonly #passages = new Map<string, Passage>();
  readonly #speeches = new Map<string, CitedSpeech>();
  readonly #sentenceVectors = new Map<string, number[]>();

  constructor(deps: { speeches: readonly Speech[]; dense?: DenseRetrieval | null; options?: Partial<RetrievalOptions> }) {
    this.#options = { ...DEFAULT_RETRIEVAL_OPTIONS, ...deps.options };
    this.#dense = deps.dense ?? null;
    this.mode = this.#dense === null ? 'lexical' : 'hybrid';
    for (const { meta, paragraphs } of deps.speeches) {
      const { id, title, speaker, date, event, place } = meta;
      this.#speeches.set(id, { id, title, speaker, date, event, place });
      for (const paragraph of paragraphs) {
        const key = passageKey(id, paragraph.n);
        this.#passages.set(key, { key, speechId: id, paragraph: paragraph.n, text: paragraph.text });
      }
    }
    this.#lexical = new LexicalIndex([...this.#passages.values()]);
  }

  /** Number of speeches and passages searched. */
  get counts(): { speeches: number; paragraphs: number } {
    return { speeches: this.#speeches.size, paragraphs: this.#passages.size };
  }

  /** The `topK` best passages for `question`, or `noAnswer` when nothing is relevant enough. */
  async ask(question: string, options: AskOptions): Promise<RetrievalAnswer> {
    const questionTerms = this.#lexical.questionTerms(question);
    const allowed = this.#allowedKeys(options.filter);
    const pool = this.#options.candidatePool;
    const lexicalHits = this.#lexical.search(question, pool, allowed);
    const questionVector = this.#dense === null ? null : (await this.#dense.embedder.embed([question]))[0] ?? null;
    let denseHits: VectorHit[] = [];
    if (this.#dense !== null && questionVector !== null) {
      // With a filter, every vector is scored so that the pool is not used up by excluded speeches.
      denseHits = await this.#dense.vectors.query(questionVector, allowed === null ? pool : this.#dense.vectors.size);
      if (allowed !== null) denseHits = denseHits.filter((hit) => allowed.has(hit.key)).slice(0, pool);
    }
    const candidates = this.#rank(lexicalHits, denseHits, questionTerms);

    const { minLexicalCoverage, minDenseScore, minPassageCoverage, denseFollowerMargin, minRelativeCoverage } = this.#options;
    const answers = (c: Candidate) => c.coverage >= minLexicalCoverage || (c.cosine ?? -1) >= minDenseScore;
    if (!candidates.some(answers)) return { mode: this.mode, noAnswer: true, passages: [] };
    const bestCoverage = Math.max(...candidates.map((c) => c.coverage));
    const coverageFloor = Math.max(minPassageCoverage, bestCoverage * minRelativeCoverage);
    const isRelevant = (c: Candidate) => c.coverage >= coverageFloor || (c.cosine ?? -1) >= minDenseScore - denseFollowerMargin;

    const chosen = candidates.filter(isRelevant).slice(0, options.topK);
    const passages: AnswerPassage[] = [];
    for (const [index, candidate] of chosen.entries()) {
      const speech = this.#speeches.get(candidate.passage.speechId);
      if (speech === undefined) continue;
      passages.push({
        rank: index + 1,
        score: Math.round(candidate.score * 1000) / 1000,
        text: candidate.passage.text,
        highlights: await this.#highlights(candidate.passage.text, questionTerms, questionVector),
        paragraph: candidate.passage.paragraph,
        speech,
      });
    }
    return { mode: this.mode, noAnswer: passages.length === 0, passages };
  }

  /** The passage keys a filter allows, or null for no filter. */
  #allowedKeys(filter: AskFilter | undefined): ReadonlySet<string> | null {
    if (filter === undefined || (filter.speechIds === undefined && filter.from === undefined && filter.to === undefined)) return null;
    const ids = filter.speechIds === undefined ? null : new Set(filter.speechIds);
    const allowed = new Set<string>();
    for (const passage of this.#passages.values()) {
      const speech = this.#speeches.get(passage.speechId);
      if (speech === undefined || (ids !== null && !ids.has(speech.id))) continue;
      if ((filter.from !== undefined && speech.date < filter.from) || (filter.to !== undefined && speech.date > filter.to)) continue;
      allowed.add(passage.key);
    }
    return allowed;
  }

  #rank(lexicalHits: readonly LexicalHit[], denseHits: readonly VectorHit[], questionTerms: readonly string[]): Candidate[] {
    const cosines = new Map(denseHits.map((hit) => [hit.key, hit.score]));
    const toCandidate = (key: string, score: number): Candidate | null => {
      const passage = this.#passages.get(key);
      if (passage === undefined) return null;
      return { passage, score, coverage: this.#lexical.coverage(key, questionTerms), cosine: cosines.get(key) ?? null };
    };
    if (this.#dense === null) {
      // Scores are BM25 relative to the best hit, scaled by how much of the question the best hit covers.
      const best = lexicalHits[0];
      const scale = best === undefined || best.score <= 0 ? 0 : best.coverage / best.score;
      return lexicalHits.map((hit) => toCandidate(hit.key, hit.score * scale)).filter((c): c is Candidate => c !== null);
    }
    const lists: RankedList[] = [
      { keys: lexicalHits.map((hit) => hit.key), weight: this.#options.lexicalWeight },
      { keys: denseHits.map((hit) => hit.key), weight: this.#options.denseWeight },
    ];
    const rrf = { k: this.#options.rrfK };
    const ceiling = maxFusedScore(lists, rrf);
    return reciprocalRankFusion(lists, rrf)
      .map((entry) => toCandidate(entry.key, entry.score / ceiling))
      .filter((c): c is Candidate => c !== null);
  }

  async #highlights(text: string, questionTerms: readonly string[], questionVector: readonly number[] | null): Promise<Span[]> {
    const spans = sentenceSpans(text);
    const sentences = spans.map(([start, end]) => text.slice(start, end));
    const scores = sentences.map((sentence) => this.#lexical.coverageOfText(sentence, questionTerms));
    if (this.#dense !== null && questionVector !== null) {
      const vectors = await this.#sentenceVectorsOf(sentences, this.#dense.embedder);
      vectors.forEach((vector, index) => {
        scores[index] = (scores[index] ?? 0) + Math.max(0, cosine(vector, questionVector));
      });
    }
    return pickHighlights(spans, scores);
  }

  async #sentenceVectorsOf(sentences: readonly string[], embedder: Embedder): Promise<number[][]> {
    const missing = sentences.filter((sentence) => !this.#sentenceVectors.has(sentence));
    if (missing.length > 0) {
      const vectors = await embedder.embed(missing);
      missing.forEach((sentence, index) => this.#sentenceVectors.set(sentence, vectors[index] ?? []));
    }
    return sentences.map((sentence) => this.#sentenceVectors.get(sentence) ?? []);
  }
}

/** The key of a paragraph in the corpus: `speechId#n`. */
export function passageKey(speechId: string, paragraph: number): string {
  return `${speechId}#${paragraph}`;
}
