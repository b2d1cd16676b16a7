// Unit tests of the Retriever's quality features: query expansion, follow-ups, reranking, dense-only mode,
// the full ranking for evaluation, and speech/date filters.

import { describe, expect, it } from 'vitest';
import { AppError } from '../../server/core/errors.ts';
import { passageKey, Retriever } from '../../server/core/retriever.ts';
import { wrapEmbedder } from '../../server/core/embedder-wrapper.ts';
import { cosine } from '../../server/core/fusion.ts';
import type { Reranker, Speech, VectorStore } from '../../server/core/types.ts';
import { FakeEmbedder, FakeVectorStore } from './fakes.ts';

const meta = (id: string, date: string) => ({ id, title: id, speaker: 'S', role: '', event: 'IDM', date, place: 'Geneva', source: '' });
const para = (n: number, text: string) => ({ n, text, start: 0, end: text.length });

const SPEECHES: Speech[] = [
  {
    meta: meta('idm-2018-a', '2018-03-27'),
    paragraphs: [
      para(1, 'We must eradicate slavery and forced labor in all its forms.'),
      para(2, 'Protection of migrants requires strong partnerships. Women and children in vulnerable situations need special care.'),
      para(3, 'Migration data must be shared between States.'),
    ],
  },
  { meta: meta('idm-2019-b', '2019-10-15'), paragraphs: [para(1, 'Climate change drives displacement; protection of migrants must adapt.')] },
];

async function dense(): Promise<{ embedder: FakeEmbedder; vectors: FakeVectorStore }> {
  const embedder = new FakeEmbedder();
  const texts = SPEECHES.flatMap((s) => s.paragraphs.map((p) => ({ key: passageKey(s.meta.id, p.n), text: p.text })));
  return { embedder, vectors: await FakeVectorStore.build(embedder, texts) };
}

describe('query expansion', () => {
  const synonyms = (word: string) => (word === 'servitude' ? ['slavery', 'bondage'] : word === 'countries' ? ['states'] : []);

  it('finds a passage through a synonym that the question does not use', async () => {
    const plain = new Retriever({ speeches: SPEECHES });
    const expanded = new Retriever({ speeches: SPEECHES, synonyms });
    expect((await plain.ask('servitude', { topK: 3 })).noAnswer).toBe(true);
    const answer = await expanded.ask('servitude', { topK: 3 });
    expect(answer.passages[0]?.text).toContain('slavery');
  });

  it('ranks a passage with the question\'s own word above one with only a synonym', async () => {
    const retriever = new Retriever({ speeches: SPEECHES, synonyms });
    const answer = await retriever.ask('data shared between countries', { topK: 3 });
    expect(answer.passages[0]?.paragraph).toBe(3);
  });
});

describe('follow-up questions', () => {
  const retriever = new Retriever({ speeches: SPEECHES });

  it('reads a short follow-up in the context of the previous question', async () => {
    const alone = await retriever.ask('and what about children?', { topK: 1 });
    const followUp = await retriever.ask('and what about children?', { topK: 1, history: ['How are migrants protected?'] });
    expect(followUp.understoodAs).toBe('How are migrants protected? and what about children?');
    expect(followUp.passages[0]?.text).toContain('Women and children');
    expect(alone.understoodAs).toBe('and what about children?');
  });

  it('leaves a full question alone even with history', async () => {
    const answer = await retriever.ask('Must migration data be shared between States?', { topK: 1, history: ['How are migrants protected?'] });
    expect(answer.understoodAs).toBe('Must migration data be shared between States?');
    expect(answer.passages[0]?.paragraph).toBe(3);
  });
});

describe('follow-ups that bring their own words', () => {
  const DG = { id: 'idm-2024-dg', title: 'Opening', speaker: 'Amy Pope', role: 'Director General, International Organization for Migration', event: 'IDM', date: '2024-05-01', place: 'Geneva', source: '' };
  const LABOUR = [para(1, 'Forced labour traps millions of migrant workers in debt bondage.'), para(2, 'We call for an end to forced labour in supply chains.')];
  const FOLLOWED: Speech[] = [{ meta: DG, paragraphs: [...LABOUR, para(3, 'Children on the move need protection, schooling and care.')] }];
  const history = ['What did the Director General say about forced labour?'];
  // Hybrid tests follow a question without a speaker's name: see the report on carried-over speaker names.
  const plainHistory = ['What was said about forced labour?'];

  /** A hybrid retriever over FOLLOWED that records the questions it embeds and the vectors it searches with. */
  async function hybrid(queryOptions: { contextWeight?: number } = {}) {
    const embedder = new FakeEmbedder();
    const store = await FakeVectorStore.build(embedder, FOLLOWED[0]?.paragraphs.map((p) => ({ key: passageKey(DG.id, p.n), text: p.text })) ?? []);
    const queries: string[][] = [];
    const searched: number[][] = [];
    const recording = wrapEmbedder(embedder, {
      before: (texts, kind) => {
        if (kind === 'query') queries.push([...texts]);
      },
    });
    const vectors: VectorStore = { modelId: store.modelId, dimension: store.dimension, size: store.size, query: (vector, topK) => (searched.push([...vector]), store.query(vector, topK)) };
    return { retriever: new Retriever({ speeches: FOLLOWED, dense: { embedder: recording, vectors }, queryOptions }), embedder, queries, searched };
  }

  it('lexical: quotes only passages with the follow-up\'s own term, not the previous answer again', async () => {
    const retriever = new Retriever({ speeches: FOLLOWED });
    const answer = await retriever.ask('and what about children?', { topK: 3, history });
    expect(answer.passages.map((p) => p.paragraph)).toEqual([3]);
    expect(answer.understoodAs).toBe(`${history[0]} and what about children?`);
  });

  it('lexical: refuses a follow-up whose own words no passage holds, whatever the previous question matched', async () => {
    const retriever = new Retriever({ speeches: FOLLOWED });
    expect(await retriever.ask('and what about football?', { topK: 3, history })).toMatchObject({ noAnswer: true, passages: [] });
  });

  it('hybrid: embeds the follow-up and the question it follows, and answers with the follow-up\'s subject', async () => {
    const { retriever, queries } = await hybrid();
    const answer = await retriever.ask('and what about children?', { topK: 3, history: plainHistory });
    expect(queries[0]).toEqual(['and what about children?', plainHistory[0]]);
    expect(answer.passages[0]?.paragraph).toBe(3);
    // Were the previous question to weigh most, the previous answer would come back first.
    const { retriever: leaning } = await hybrid({ contextWeight: 4 });
    expect((await leaning.rankAll('and what about children?', { history: plainHistory }))[0]).toContain('forced labour');
  });

  it('hybrid: searches with the follow-up\'s vector plus contextWeight (0.25) times the previous one, normalised', async () => {
    const { retriever, embedder, searched } = await hybrid();
    await retriever.ask('and what about children?', { topK: 3, history: plainHistory });
    const own = embedder.embedOne('and what about children?');
    const previous = embedder.embedOne(plainHistory[0] ?? '');
    const sum = own.map((x, i) => x + 0.25 * (previous[i] ?? 0));
    const expected = sum.map((x) => x / Math.hypot(...sum));
    expect(searched).toHaveLength(1);
    searched[0]?.forEach((x, i) => expect(x).toBeCloseTo(expected[i] ?? 0, 12));
    expect(cosine(searched[0] ?? [], own)).toBeGreaterThan(cosine(searched[0] ?? [], previous));
  });

  it('hybrid: leaves the previous question out of the vector with contextWeight 0', async () => {
    const { retriever, embedder, searched } = await hybrid({ contextWeight: 0 });
    await retriever.ask('and what about children?', { topK: 3, history: plainHistory });
    const own = embedder.embedOne('and what about children?');
    expect(searched).toHaveLength(1);
    searched[0]?.forEach((x, i) => expect(x).toBeCloseTo(own[i] ?? 0, 12));
  });

  it('hybrid: leaves the speaker\'s name out of the vector when the question says enough else', async () => {
    const { retriever, queries } = await hybrid();
    await retriever.ask('What did the Director General say about forced labour?', { topK: 3 });
    await retriever.ask('When did the Director General speak?', { topK: 3 });
    expect(queries).toEqual([['What did the say about forced labour?'], ['When did the Director General speak?']]);
  });
});

describe('reranking', () => {
  it('reorders the best candidates by the cross-encoder and shows its probability as the score', async () => {
    const { embedder, vectors } = await dense();
    // A reranker that prefers the climate passage, whatever the lexical and dense order.
    const reranker: Reranker = {
      modelId: 'fake/cross-encoder',
      score: async (_question, passages) => passages.map((text) => (text.includes('Climate') ? 4 : -1)),
    };
    const plain = new Retriever({ speeches: SPEECHES, dense: { embedder, vectors } });
    const reranked = new Retriever({ speeches: SPEECHES, dense: { embedder, vectors }, reranker });
    const question = 'protection of migrants through partnerships';
    expect((await plain.ask(question, { topK: 2 })).passages[0]?.speech.id).toBe('idm-2018-a');
    const answer = await reranked.ask(question, { topK: 2 });
    expect(answer.passages[0]?.speech.id).toBe('idm-2019-b');
    expect(answer.passages[0]?.score).toBeCloseTo(1 / (1 + Math.exp(-4)), 3);
  });
});

describe('reranking, continued', () => {
  it('keeps the fused order when the cross-encoder fails', async () => {
    const { embedder, vectors } = await dense();
    const failing: Reranker = { modelId: 'broken', score: async () => Promise.reject(new Error('onnx session lost')) };
    const plain = new Retriever({ speeches: SPEECHES, dense: { embedder, vectors } });
    const withFailing = new Retriever({ speeches: SPEECHES, dense: { embedder, vectors }, reranker: failing });
    const question = 'protection of migrants through partnerships';
    expect((await withFailing.ask(question, { topK: 3 })).passages).toEqual((await plain.ask(question, { topK: 3 })).passages);
  });

  it('scores a follow-up together with the question it follows', async () => {
    const { embedder, vectors } = await dense();
    const seen: string[] = [];
    const recording: Reranker = {
      modelId: 'recording',
      score: async (question, passages) => {
        seen.push(question);
        return passages.map(() => 0);
      },
    };
    const retriever = new Retriever({ speeches: SPEECHES, dense: { embedder, vectors }, reranker: recording });
    await retriever.ask('and what about children?', { topK: 1, history: ['How are migrants protected?'] });
    expect(seen).toEqual(['How are migrants protected? and what about children?']);
  });
});

describe('modes and ranking', () => {
  it('retrieves by vectors alone in dense mode', async () => {
    const { embedder, vectors } = await dense();
    const retriever = new Retriever({ speeches: SPEECHES, dense: { embedder, vectors }, mode: 'dense', options: { minDenseScore: 0.3 } });
    const answer = await retriever.ask('shared migration data States', { topK: 1 });
    expect(answer).toMatchObject({ mode: 'dense', noAnswer: false });
    expect(answer.passages[0]?.paragraph).toBe(3);
  });

  it('refuses to build a dense or hybrid retriever without a model', () => {
    expect(() => new Retriever({ speeches: SPEECHES, mode: 'dense' })).toThrow(AppError);
  });

  it('gives the full ranking before the relevance gate, for evaluation', async () => {
    const retriever = new Retriever({ speeches: SPEECHES });
    const ranked = await retriever.rankAll('protection of migrants through partnerships');
    expect(ranked.length).toBe(2);
    expect(ranked[0]).toContain('Protection');
    expect(await retriever.rankAll('football')).toEqual([]);
  });

  it('filters by speech and by date', async () => {
    const retriever = new Retriever({ speeches: SPEECHES });
    const bySpeech = await retriever.ask('protection of migrants', { topK: 3, filter: { speechIds: ['idm-2019-b'] } });
    expect(bySpeech.passages.map((p) => p.speech.id)).toEqual(['idm-2019-b']);
    const byDate = await retriever.ask('protection of migrants', { topK: 3, filter: { to: '2018-12-31' } });
    expect(byDate.passages.map((p) => p.speech.id)).toEqual(['idm-2018-a']);
    expect((await retriever.ask('protection of migrants', { topK: 3, filter: { from: '2020-01-01' } })).noAnswer).toBe(true);
  });
});
