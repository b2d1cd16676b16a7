// Answers a question with the best-matching passages: BM25 and/or dense vectors, fused, optionally reranked
// by a cross-encoder, then a relevance gate that refuses off-topic questions, and sentence highlights.
// Pure: the model, the vectors and the synonyms are injected.

import { AppError } from './errors.ts';
import { Highlighter } from './highlights.ts';
import { fuseHits } from './fusion.ts';
import { LexicalIndex, type CoverageQuery } from './lexical-index.ts';
import type { AnswerPassage, AskFilter, CitedSpeech } from './protocol.ts';
import { passagesOf } from './passages.ts';
import { buildQuery, DEFAULT_QUERY_OPTIONS, type Query, type QueryOptions } from './query.ts';
import { DEFAULT_RETRIEVAL_OPTIONS, selectRelevant, type Candidate, type GateContext, type RetrievalOptions } from './relevance.ts';
import type { Embedder, Passage, Reranker, RetrievalMode, Speech, SynonymLookup, VectorHit, VectorStore } from './types.ts';
import { NameIndex, questionNames, type NamedSpeakers } from './question-names.ts';

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
  /** The keyword index of the speeches' passages, when it was built (or read) before; else built here. */
  lexical?: LexicalIndex;
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
  readonly #allSpeeches: readonly Speech[];
  /** Built on the first question: reading every speech's metadata need not delay a start. */
  #nameIndex: NameIndex | null = null;

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
    this.#lexical = deps.lexical ?? new LexicalIndex([...this.#passages.values()]);
    this.#allSpeeches = deps.speeches;
    this.#highlighter = new Highlighter({ lexical: this.#lexical, embedder: this.mode === 'lexical' ? null : (this.#dense?.embedder ?? null) });
  }

  /** Number of speeches and passages searched. */
  get counts(): { speeches: number; paragraphs: number } {
    return { speeches: this.#speeches.size, paragraphs: this.#passages.size };
  }

  /** The `topK` best passages for `question`, or `noAnswer` when nothing is relevant enough. */
  async ask(question: string, options: AskOptions): Promise<RetrievalAnswer> {
    const { query, topic, questionVector, candidates, gate } = await this.#candidates(question, options);
    const { understoodAs } = query;
    // The gate chooses what may be quoted; the cross-encoder only orders it, so it cannot change whether or what
    // is answered, nor the thresholds measured without it.
    const chosen = (await this.#rerank(query.understoodAs, selectRelevant(candidates, gate))).slice(0, options.topK);
    const passages: AnswerPassage[] = [];
    for (const candidate of chosen) {
      const speech = this.#speeches.get(candidate.passage.speechId);
      if (speech === undefined) continue;
      passages.push({
        rank: passages.length + 1,
        score: Math.round(candidate.score * 1000) / 1000,
        text: candidate.passage.text,
        highlights: await this.#highlighter.highlight(candidate.passage.text, topic, questionVector),
        paragraph: candidate.passage.paragraph,
        speech,
      });
    }
    return { mode: this.mode, noAnswer: passages.length === 0, passages, understoodAs };
  }

  /** The full ranking of passage texts for a question, before the relevance gate and the cut-off (for evaluation). */
  async rankAll(question: string, options: Omit<AskOptions, 'topK'> = {}): Promise<string[]> {
    const { query, candidates } = await this.#candidates(question, options);
    return (await this.#rerank(query.understoodAs, candidates)).map((candidate) => candidate.passage.text);
  }

  async #candidates(
    question: string,
    options: Omit<AskOptions, 'topK'>,
  ): Promise<{ query: Query; topic: CoverageQuery; questionVector: number[] | null; candidates: Candidate[]; gate: GateContext }> {
    const query = buildQuery(question, { history: options.history, synonyms: this.#synonyms, options: this.#queryOptions });
    const names = questionNames(query.text);
    // A follow-up keeps the speaker of the question it follows ("and what about children?").
    const contextNames = query.context === null ? [] : questionNames(query.context);
    const speakers = speakersAsked(query, this.#names().speakers([...names, ...contextNames]), this.#options.minTopicTerms);
    const topic = topicOf(query, speakers);
    const allowed = this.#allowedSpeeches(options.filter);
    const pool = this.#options.candidatePool;
    // Keywords search the topic: a paragraph that only mentions another "Director General" is no match.
    let keywordHits = this.mode === 'dense' ? [] : this.#lexical.search(topic, pool, allowed);
    // Without a model, a follow-up's own words must be there: "and what about children?" is about children.
    if (this.mode === 'lexical' && query.isFollowUp && query.ownTerms.length > 0) {
      const own = { baseTerms: query.ownTerms.map((term) => ({ term, weight: 1 })), synonymTerms: query.synonymTerms };
      keywordHits = keywordHits.filter((hit) => this.#lexical.coverage(hit.key, own) > 0);
    }
    // A speaker's name is in the metadata, not the paragraphs: the vector compares what was said.
    const questionVector = this.mode === 'lexical' ? null : await this.#questionVector(query, speakers);
    let denseHits: VectorHit[] = [];
    if (questionVector !== null && this.#dense !== null) {
      denseHits = await this.#dense.vectors.query(questionVector, pool, allowed === null ? {} : { allowed });
    }
    const topicCoverageOf = (key: string): number => this.#lexical.coverage(key, topic);
    const bySpeaker = (key: string): boolean => speakers !== null && speakers.speechIds.has(this.#passages.get(key)?.speechId ?? '');
    const candidates = fuseHits({ mode: this.mode, keywordHits, denseHits, weights: this.#options, coverageOf: topicCoverageOf, bySpeaker }).flatMap((hit) => {
      const passage = this.#passages.get(hit.key);
      if (passage === undefined) return [];
      const topicCoverage = topicCoverageOf(hit.key);
      // The named speaker's own paragraphs answer by their topic; any other must also hold the name it lacks.
      const coverage = speakers === null || bySpeaker(hit.key) ? topicCoverage : this.#lexical.coverage(hit.key, query);
      return [{ passage, score: hit.score, coverage, topicCoverage, cosine: hit.cosine, rerank: null }];
    });
    const gate: GateContext = { mode: this.mode, options: this.#options, unknownNames: this.#names().unknown(names) };
    return { query, topic, questionVector, candidates, gate };
  }

  #names(): NameIndex {
    this.#nameIndex ??= new NameIndex({ speeches: this.#allSpeeches, knows: (term) => this.#lexical.knows(term), synonyms: this.#synonyms });
    return this.#nameIndex;
  }

  /** The question's vector; a follow-up's leans towards the question it follows, its own words weighing most. */
  async #questionVector(query: Query, speakers: NamedSpeakers | null): Promise<number[] | null> {
    if (this.#dense === null) return null;
    const withoutSpeakers = (text: string): string =>
      (speakers?.names ?? []).reduce((rest, name) => rest.replace(name, ' '), text).replace(/\s+/g, ' ').trim();
    const texts = query.context === null ? [withoutSpeakers(query.text)] : [withoutSpeakers(query.text), withoutSpeakers(query.context)];
    const [own, context] = await this.#dense.embedder.embedQueries(texts);
    if (own === undefined) return null;
    if (context === undefined) return own;
    const weight = this.#queryOptions.contextWeight ?? DEFAULT_QUERY_OPTIONS.contextWeight;
    const sum = own.map((x, i) => x + weight * (context[i] ?? 0));
    const norm = Math.hypot(...sum);
    return norm > 0 ? sum.map((x) => x / norm) : own;
  }

  /**
   * Reorders the top candidates by the cross-encoder's score, and keeps only those: their shown score becomes its
   * probability, which the fused scores of the rest could not be compared with. A reranker that fails leaves
   * the order as it was, so a broken model costs the reordering, not the answer.
   */
  async #rerank(question: string, candidates: readonly Candidate[]): Promise<Candidate[]> {
    if (this.#reranker === null || candidates.length === 0) return [...candidates];
    const head = candidates.slice(0, this.#options.rerankDepth);
    let logits: number[];
    try {
      logits = await this.#reranker.score(question, head.map((c) => c.passage.text));
    } catch {
      return [...candidates];
    }
    return head
      .map((candidate, index) => {
        const logit = logits[index] ?? Number.NEGATIVE_INFINITY;
        return { ...candidate, rerank: logit, score: 1 / (1 + Math.exp(-logit)) };
      })
      .sort((a, b) => (b.rerank ?? 0) - (a.rerank ?? 0));
  }

  /** The passage keys a filter allows, or null for no filter. */
  #allowedSpeeches(filter: AskFilter | undefined): ((speechId: string) => boolean) | null {
    if (filter === undefined || (filter.speechIds === undefined && filter.from === undefined && filter.to === undefined)) return null;
    const ids = filter.speechIds === undefined ? null : new Set(filter.speechIds);
    const allowed = new Set<string>();
    for (const speech of this.#speeches.values()) {
      if (ids !== null && !ids.has(speech.id)) continue;
      if ((filter.from !== undefined && speech.date < filter.from) || (filter.to !== undefined && speech.date > filter.to)) continue;
      allowed.add(speech.id);
    }
    return (speechId) => allowed.has(speechId);
  }
}

/**
 * The speakers the question asks about, when it also says enough about what: "What did the Director General say
 * about forced labour?" is about forced labour, in the Director General's speeches; "When did Swing become
 * Director General?" is about Swing, and its one other word ("become") cannot carry the question alone.
 */
function speakersAsked(query: Query, named: NamedSpeakers | null, minTopicTerms: number): NamedSpeakers | null {
  if (named === null) return null;
  return query.baseTerms.filter(({ term }) => !named.terms.has(term)).length >= minTopicTerms ? named : null;
}

/** The part of the query that says what the question is about: without the words naming the speakers asked about. */
function topicOf(query: Query, speakers: NamedSpeakers | null): CoverageQuery {
  if (speakers === null) return query;
  const baseTerms = query.baseTerms.filter((term) => !speakers.terms.has(term.term));
  return { baseTerms, synonymTerms: query.synonymTerms.filter((synonym) => synonym.of === undefined || !speakers.terms.has(synonym.of)) };
}
