// Answers a question with the best-matching passages: BM25 and/or dense vectors, fused, optionally reranked
// by a cross-encoder, then a relevance gate that refuses off-topic questions, and sentence highlights.
// Pure: the model, the vectors and the synonyms are injected.

import { AppError } from './errors.ts';
import { maxFusedScore, reciprocalRankFusion, type RankedList } from './fusion.ts';
import { Highlighter } from './highlights.ts';
import { LexicalIndex } from './lexical-index.ts';
import type { AnswerPassage, AskFilter, CitedSpeech } from './protocol.ts';
import { passagesOf } from './passages.ts';
import { buildQuery, type Query, type QueryOptions } from './query.ts';
import { DEFAULT_RETRIEVAL_OPTIONS, isRelevantAnswer, selectRelevant, type Candidate, type RetrievalOptions } from './relevance.ts';
import type { Embedder, Passage, Reranker, RetrievalMode, Speech, SynonymLookup, VectorHit, VectorStore } from './types.ts';

export { passageKey } from './passages.ts';
export { DEFAULT_RETRIEVAL_OPTIONS, type RetrievalOptions } from './relevance.ts';

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
  /** Earlier questions of the same conversation, oldest first, so a short follow-up is read in context. */
  history?: readonly string[];
}

/** What {@link Retriever.ask} returns. */
export interface RetrievalAnswer {
  mode: RetrievalMode;
  noAnswer: boolean;
  passages: AnswerPassage[];
  /** The question as it was understood: a follow-up joined to the question it follows. */
  understoodAs: string;
}

/** What a {@link Retriever} is built from. */
export interface RetrieverDeps {
  speeches: readonly Speech[];
  dense?: DenseRetrieval | null;
  /** Reorders the best candidates when present. */
  reranker?: Reranker | null;
  /** Expands lexical queries with synonyms when present. */
  synonyms?: SynonymLookup | null;
  /** Defaults to hybrid with dense retrieval, lexical without. */
  mode?: RetrievalMode;
  options?: Partial<RetrievalOptions>;
  queryOptions?: Partial<QueryOptions>;
}

/** Retrieval over one fixed corpus. Build a new one when the corpus or a model changes. */
export class Retriever {
  readonly mode: RetrievalMode;
  readonly #lexical: LexicalIndex;
  readonly #dense: DenseRetrieval | null;
  readonly #reranker: Reranker | null;
  readonly #synonyms: SynonymLookup | null;
  readonly #options: RetrievalOptions;
  readonly #queryOptions: Partial<QueryOptions>;
  readonly #highlighter: Highlighter;
  readonly #passages = new Map<string, Passage>();
  readonly #speeches = new Map<string, CitedSpeech>();

  constructor(deps: RetrieverDeps) {
    this.#options = { ...DEFAULT_RETRIEVAL_OPTIONS, ...deps.options };
    this.#queryOptions = deps.queryOptions ?? {};
    this.#dense = deps.dense ?? null;
    this.#reranker = deps.reranker ?? null;
    this.#synonyms = deps.synonyms ?? null;
    this.mode = deps.mode ?? (this.#dense === null ? 'lexical' : 'hybrid');
    if (this.mode !== 'lexical' && this.#dense === null) throw new AppError('model_unavailable', `${this.mode} retrieval needs an embedding model`);
    for (const { meta } of deps.speeches) {
      const { id, title, speaker, date, event, place } = meta;
      this.#speeches.set(id, { id, title, speaker, date, event, place });
    }
    for (const passage of passagesOf(deps.speeches)) this.#passages.set(passage.key, passage);
    this.#lexical = new LexicalIndex([...this.#passages.values()]);
    this.#highlighter = new Highlighter({ lexical: this.#lexical, embedder: this.mode === 'lexical' ? null : (this.#dense?.embedder ?? null) });
  }

  /** Number of speeches and passages searched. */
  get counts(): { speeches: number; paragraphs: number } {
    return { speeches: this.#speeches.size, paragraphs: this.#passages.size };
  }

  /** The `topK` best passages for `question`, or `noAnswer` when nothing is relevant enough. */
  async ask(question: string, options: AskOptions): Promise<RetrievalAnswer> {
    const { query, questionVector, candidates } = await this.#candidates(question, options);
    const understoodAs = query.embeddingText;
    if (!isRelevantAnswer(candidates, { mode: this.mode, options: this.#options })) return { mode: this.mode, noAnswer: true, passages: [], understoodAs };
    const chosen = selectRelevant(candidates, { mode: this.mode, options: this.#options }).slice(0, options.topK);
    const passages: AnswerPassage[] = [];
    for (const candidate of chosen) {
      const speech = this.#speeches.get(candidate.passage.speechId);
      if (speech === undefined) continue;
      passages.push({
        rank: passages.length + 1,
        score: Math.round(candidate.score * 1000) / 1000,
        text: candidate.passage.text,
        highlights: await this.#highlighter.highlight(candidate.passage.text, query, questionVector),
        paragraph: candidate.passage.paragraph,
        speech,
      });
    }
    return { mode: this.mode, noAnswer: passages.length === 0, passages, understoodAs };
  }

  /** The full ranking of passage texts for a question, before the relevance gate and the cut-off (for evaluation). */
  async rankAll(question: string, options: Omit<AskOptions, 'topK'> = {}): Promise<string[]> {
    const { candidates } = await this.#candidates(question, options);
    return candidates.map((candidate) => candidate.passage.text);
  }

  async #candidates(question: string, options: Omit<AskOptions, 'topK'>): Promise<{ query: Query; questionVector: number[] | null; candidates: Candidate[] }> {
    const query = buildQuery(question, { history: options.history, synonyms: this.#synonyms, options: this.#queryOptions });
    const allowed = this.#allowedKeys(options.filter);
    const pool = this.#options.candidatePool;
    const lexicalHits = this.mode === 'dense' ? [] : this.#lexical.search(query, pool, allowed);
    let questionVector: number[] | null = null;
    let denseHits: VectorHit[] = [];
    if (this.mode !== 'lexical' && this.#dense !== null) {
      questionVector = (await this.#dense.embedder.embed([query.embeddingText]))[0] ?? null;
      if (questionVector !== null) {
        // With a filter, every vector is scored so that the pool is not used up by excluded speeches.
        denseHits = await this.#dense.vectors.query(questionVector, allowed === null ? pool : this.#dense.vectors.size);
        if (allowed !== null) denseHits = denseHits.filter((hit) => allowed.has(hit.key)).slice(0, pool);
      }
    }
    const cosines = new Map(denseHits.map((hit) => [hit.key, hit.score]));
    const toCandidate = (key: string, score: number): Candidate[] => {
      const passage = this.#passages.get(key);
      return passage === undefined ? [] : [{ passage, score, coverage: this.#lexical.coverage(key, query), cosine: cosines.get(key) ?? null, rerank: null }];
    };

    let candidates: Candidate[];
    if (this.mode === 'lexical') {
      // Scores are BM25 relative to the best hit, scaled by how much of the question the best hit covers.
      const best = lexicalHits[0];
      const scale = best === undefined || best.score <= 0 ? 0 : this.#lexical.coverage(best.key, query) / best.score;
      candidates = lexicalHits.flatMap((hit) => toCandidate(hit.key, hit.score * scale));
    } else if (this.mode === 'dense') {
      candidates = denseHits.flatMap((hit) => toCandidate(hit.key, Math.max(0, hit.score)));
    } else {
      const lists: RankedList[] = [
        { keys: lexicalHits.map((hit) => hit.key), weight: this.#options.lexicalWeight },
        { keys: denseHits.map((hit) => hit.key), weight: this.#options.denseWeight },
      ];
      const rrf = { k: this.#options.rrfK };
      const ceiling = maxFusedScore(lists, rrf);
      candidates = reciprocalRankFusion(lists, rrf).flatMap((entry) => toCandidate(entry.key, entry.score / ceiling));
    }
    return { query, questionVector, candidates: await this.#rerank(query.embeddingText, candidates) };
  }

  /**
   * Reorders the top candidates by the cross-encoder's score, and keeps only those: their shown score becomes its
   * probability, which the fused scores of the rest could not be compared with. A reranker that fails leaves
   * the order as it was, so a broken model costs the reordering, not the answer.
   */
  async #rerank(question: string, candidates: Candidate[]): Promise<Candidate[]> {
    if (this.#reranker === null || candidates.length === 0) return candidates;
    const head = candidates.slice(0, this.#options.rerankDepth);
    let logits: number[];
    try {
      logits = await this.#reranker.score(question, head.map((c) => c.passage.text));
    } catch {
      return candidates;
    }
    return head
      .map((candidate, index) => {
        const logit = logits[index] ?? Number.NEGATIVE_INFINITY;
        return { ...candidate, rerank: logit, score: 1 / (1 + Math.exp(-logit)) };
      })
      .sort((a, b) => (b.rerank ?? 0) - (a.rerank ?? 0));
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
}
