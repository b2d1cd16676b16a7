// Unit tests of the Retriever on a small made-up corpus: lexical and hybrid answers, refusals, topK, highlights, citations, options.

import { describe, expect, it } from 'vitest';
import type { AnswerPassage } from '../../server/core/protocol.ts';
import { DEFAULT_RETRIEVAL_OPTIONS, passageKey, Retriever } from '../../server/core/retriever.ts';
import { sentenceSpans } from '../../server/core/sentences.ts';
import { termsOf } from '../../server/core/terms.ts';
import type { Speech, SpeechMeta } from '../../server/core/types.ts';
import { FakeEmbedder, FakeVectorStore } from './fakes.ts';

function meta(id: string, title: string, speaker: string, date: string): SpeechMeta {
  return { id, title, speaker, role: `Role of ${speaker}`, event: 'International Dialogue on Migration', date, place: 'Geneva', source: `${id}.pdf` };
}

function paragraph(n: number, text: string): Speech['paragraphs'][number] {
  return { n, text, start: 0, end: text.length };
}

const LABOUR_1 =
  'Labour migration must be fair. Recruitment fees paid by migrant workers trap them in debt. Governments should enforce ethical recruitment.';
const LABOUR_2 = 'Remittances sent home by migrants support millions of families. Lowering transfer costs would help them.';
const CLIMATE_5 =
  'Climate change and environmental degradation increasingly drive displacement. Rising seas threaten \u201ccoastal communities\u201d in small island states \u2014 S\u00e3o Tom\u00e9 included.';
const CLIMATE_6 = 'Partnerships between governments, civil society and the private sector are essential. No country can manage migration alone.';
const DATA_1 = 'Reliable data on migration allows evidence-based policies. We must invest in national statistical capacity.';
const DATA_2 = 'Youth are agents of change. Young people must have a voice in migration governance.';

const SPEECHES: Speech[] = [
  { meta: meta('idm-2018-labour', 'Fair Labour Migration', 'Ana Gomez', '2018-03-26'), paragraphs: [paragraph(1, LABOUR_1), paragraph(2, LABOUR_2)] },
  { meta: meta('idm-2019-climate', 'Climate and Mobility', 'Ben Okafor', '2019-10-15'), paragraphs: [paragraph(5, CLIMATE_5), paragraph(6, CLIMATE_6)] },
  { meta: meta('idm-2020-data', 'Data for Policy', 'Chen Li', '2020-06-01'), paragraphs: [paragraph(1, DATA_1), paragraph(2, DATA_2)] },
];

/** The fake model maps these words of the hybrid question onto words of LABOUR_2. */
const SYNONYMS = { expatriates: 'migrants', wire: 'transfer', cash: 'remittances', relatives: 'families' };
/** Shares no index term with any passage; only the synonym table links it to LABOUR_2. */
const SYNONYM_QUESTION = 'How do expatriates wire cash to relatives?';
const OFF_TOPIC = 'Who painted the Mona Lisa?';

async function hybridRetriever(options: ConstructorParameters<typeof Retriever>[0]['options'] = {}): Promise<{ retriever: Retriever; embedder: FakeEmbedder }> {
  const embedder = new FakeEmbedder({ synonyms: SYNONYMS });
  const texts = SPEECHES.flatMap((s) => s.paragraphs.map((p) => ({ key: passageKey(s.meta.id, p.n), text: p.text })));
  const vectors = await FakeVectorStore.build(embedder, texts);
  embedder.calls.length = 0;
  return { retriever: new Retriever({ speeches: SPEECHES, dense: { embedder, vectors }, options }), embedder };
}

const lexical = new Retriever({ speeches: SPEECHES });

/** Checks the invariants every quoted passage must meet, whatever the question. */
function expectWellFormed(passages: readonly AnswerPassage[]): void {
  passages.forEach((passage, index) => {
    expect(passage.rank).toBe(index + 1);
    const speech = SPEECHES.find((s) => s.meta.id === passage.speech.id);
    expect(speech, `speech ${passage.speech.id}`).toBeDefined();
    const source = speech?.paragraphs.find((p) => p.n === passage.paragraph);
    expect(source?.text, 'verbatim paragraph text').toBe(passage.text);
    let previousEnd = 0;
    for (const [start, end] of passage.highlights) {
      expect(Number.isInteger(start) && Number.isInteger(end)).toBe(true);
      expect(start).toBeGreaterThanOrEqual(previousEnd);
      expect(end).toBeGreaterThan(start);
      expect(end).toBeLessThanOrEqual(passage.text.length);
      previousEnd = end;
    }
    expect(Math.round(passage.score * 1000) / 1000).toBe(passage.score);
  });
}

/** The [start, end) span of the sentence of `text` that contains `fragment`. */
function sentenceContaining(text: string, fragment: string): [number, number] {
  const at = text.indexOf(fragment);
  const span = sentenceSpans(text).find(([start, end]) => start <= at && at < end);
  if (at < 0 || span === undefined) throw new Error(`"${fragment}" not found`);
  return span;
}

describe('Retriever in lexical mode', () => {
  it('reports lexical mode and the counts of speeches and paragraphs', () => {
    expect(lexical.mode).toBe('lexical');
    expect(lexical.counts).toEqual({ speeches: 3, paragraphs: 6 });
  });

  it('answers a keyword question with the matching passage first', async () => {
    const answer = await lexical.ask('What do recruitment fees do to workers?', { topK: 3 });
    expect(answer.mode).toBe('lexical');
    expect(answer.noAnswer).toBe(false);
    expect(answer.passages[0]?.speech.id).toBe('idm-2018-labour');
    expect(answer.passages[0]?.paragraph).toBe(1);
    expect(answer.passages[0]?.text).toBe(LABOUR_1);
    expectWellFormed(answer.passages);
  });

  it('finds a passage across British and American spelling', async () => {
    const answer = await lexical.ask('labor migration', { topK: 1 });
    expect(answer.passages[0]?.text).toBe(LABOUR_1);
  });

  it.each([OFF_TOPIC, 'What is the recipe for chocolate cake?', 'What is it that they would say?', '?!'])(
    'refuses the off-topic or empty question %j with noAnswer and no passages',
    async (question) => {
      expect(await lexical.ask(question, { topK: 3 })).toMatchObject({ mode: 'lexical', noAnswer: true, passages: [] });
    },
  );

  it.each([1, 2, 3])('returns at most topK = %i passages, ranked from 1', async (topK) => {
    const answer = await lexical.ask('migration', { topK });
    expect(answer.passages).toHaveLength(topK);
    expect(answer.passages.map((p) => p.rank)).toEqual(Array.from({ length: topK }, (_v, i) => i + 1));
    expectWellFormed(answer.passages);
  });

  it('returns fewer than topK passages when fewer are relevant', async () => {
    const answer = await lexical.ask('remittances', { topK: 10 });
    expect(answer.passages.map((p) => p.text)).toEqual([LABOUR_2]);
  });

  it('drops a weak passage that covers much less of the question than the best one', async () => {
    // LABOUR_1 holds all three terms; LABOUR_2 holds only "migrants", a small share of the weight.
    const answer = await lexical.ask('migrant recruitment fees', { topK: 10 });
    expect(answer.passages.map((p) => p.text)).toEqual([LABOUR_1]);
  });

  it('gives the best passage the top score and never increases down the ranking', async () => {
    const answer = await lexical.ask('migration governance data', { topK: 3 });
    const scores = answer.passages.map((p) => p.score);
    expect(scores.length).toBeGreaterThan(1);
    for (let i = 1; i < scores.length; i += 1) expect(scores[i - 1] ?? 0).toBeGreaterThanOrEqual(scores[i] ?? 0);
    expect(scores[0]).toBeLessThanOrEqual(1);
    expect(scores.every((s) => s > 0)).toBe(true);
  });

  it('returns the paragraph text verbatim, typographic characters included', async () => {
    const answer = await lexical.ask('coastal communities', { topK: 1 });
    expect(answer.passages[0]?.text).toBe(CLIMATE_5);
    expect(answer.passages[0]?.paragraph).toBe(5);
  });

  it('highlights the sentence that holds the answer, inside the text', async () => {
    const answer = await lexical.ask('recruitment fees', { topK: 1 });
    const passage = answer.passages[0];
    expect(passage?.highlights).toEqual([sentenceContaining(LABOUR_1, 'Recruitment fees')]);
    const [start, end] = passage?.highlights[0] ?? [0, 0];
    expect(LABOUR_1.slice(start, end)).toBe('Recruitment fees paid by migrant workers trap them in debt.');
  });

  it('highlights the quoted sentence even when it holds typographic quotes', async () => {
    const answer = await lexical.ask('coastal communities', { topK: 1 });
    const [start, end] = answer.passages[0]?.highlights[0] ?? [0, 0];
    expect(CLIMATE_5.slice(start, end)).toBe('Rising seas threaten \u201ccoastal communities\u201d in small island states \u2014 S\u00e3o Tom\u00e9 included.');
  });

  it('cites the speech from its metadata: id, title, speaker, date, event, place (not role or source)', async () => {
    const answer = await lexical.ask('climate displacement', { topK: 1 });
    expect(answer.passages[0]?.speech).toEqual({
      id: 'idm-2019-climate',
      title: 'Climate and Mobility',
      speaker: 'Ben Okafor',
      date: '2019-10-15',
      event: 'International Dialogue on Migration',
      place: 'Geneva',
    });
  });

  it('uses the paragraph number n of the speech, not its position', async () => {
    const answer = await lexical.ask('partnerships private sector', { topK: 1 });
    expect(answer.passages[0]?.paragraph).toBe(6);
    expect(answer.passages[0]?.text).toBe(CLIMATE_6);
  });

  it('answers a question matching only part of its terms with the default options', async () => {
    const answer = await lexical.ask('recruitment fees for football players', { topK: 3 });
    expect(answer.noAnswer).toBe(false);
    expect(answer.passages[0]?.text).toBe(LABOUR_1);
  });

  it('lets options override the defaults: minLexicalCoverage 1 refuses a partial match', async () => {
    const strict = new Retriever({ speeches: SPEECHES, options: { minLexicalCoverage: 1 } });
    expect(await strict.ask('recruitment fees for football players', { topK: 3 })).toMatchObject({ mode: 'lexical', noAnswer: true, passages: [] });
    // A full match still answers.
    expect((await strict.ask('recruitment fees', { topK: 3 })).passages[0]?.text).toBe(LABOUR_1);
  });

  it('lets options override the defaults: candidatePool 1 leaves a single candidate', async () => {
    const narrow = new Retriever({ speeches: SPEECHES, options: { candidatePool: 1 } });
    expect((await narrow.ask('migration', { topK: 3 })).passages).toHaveLength(1);
  });

  it('answers nothing over an empty corpus', async () => {
    const empty = new Retriever({ speeches: [] });
    expect(empty.counts).toEqual({ speeches: 0, paragraphs: 0 });
    expect(await empty.ask('migration', { topK: 3 })).toMatchObject({ mode: 'lexical', noAnswer: true, passages: [] });
  });

  it('keeps DEFAULT_RETRIEVAL_OPTIONS as documented', () => {
    expect(DEFAULT_RETRIEVAL_OPTIONS).toMatchObject({ minLexicalCoverage: 0.25, minDenseScore: 0.45 });
  });
});

describe('Retriever in hybrid mode', () => {
  it('reports hybrid mode in itself and in its answers', async () => {
    const { retriever } = await hybridRetriever();
    expect(retriever.mode).toBe('hybrid');
    expect(retriever.counts).toEqual({ speeches: 3, paragraphs: 6 });
    expect((await retriever.ask('recruitment fees', { topK: 1 })).mode).toBe('hybrid');
  });

  it('answers a question that shares no index term with the passage when the model maps it close', async () => {
    // Preconditions on the fakes: no shared terms, but a cosine above the dense threshold.
    const shared = termsOf(SYNONYM_QUESTION).filter((t) => termsOf(LABOUR_2).includes(t));
    expect(shared).toEqual([]);
    const embedder = new FakeEmbedder({ synonyms: SYNONYMS });
    const similarity = embedder.embedOne(SYNONYM_QUESTION).reduce((sum, x, i) => sum + x * (embedder.embedOne(LABOUR_2)[i] ?? 0), 0);
    expect(similarity).toBeGreaterThanOrEqual(DEFAULT_RETRIEVAL_OPTIONS.minDenseScore);

    expect((await lexical.ask(SYNONYM_QUESTION, { topK: 3 })).noAnswer).toBe(true);
    const { retriever } = await hybridRetriever();
    const answer = await retriever.ask(SYNONYM_QUESTION, { topK: 3 });
    expect(answer.mode).toBe('hybrid');
    expect(answer.noAnswer).toBe(false);
    expect(answer.passages[0]?.text).toBe(LABOUR_2);
    expect(answer.passages[0]?.speech.id).toBe('idm-2018-labour');
    expect(answer.passages[0]?.paragraph).toBe(2);
    expectWellFormed(answer.passages);
  });

  it('highlights the sentence the model finds closest when no words match', async () => {
    const { retriever } = await hybridRetriever();
    const answer = await retriever.ask(SYNONYM_QUESTION, { topK: 1 });
    expect(answer.passages[0]?.highlights).toEqual([sentenceContaining(LABOUR_2, 'Remittances sent home')]);
  });

  it('still answers keyword questions with the matching passage first', async () => {
    const { retriever } = await hybridRetriever();
    const answer = await retriever.ask('recruitment fees', { topK: 3 });
    expect(answer.passages[0]?.text).toBe(LABOUR_1);
    expect(answer.passages[0]?.highlights).toEqual([sentenceContaining(LABOUR_1, 'Recruitment fees')]);
    expectWellFormed(answer.passages);
  });

  it('refuses an off-topic question', async () => {
    const embedder = new FakeEmbedder({ synonyms: SYNONYMS });
    const question = embedder.embedOne(OFF_TOPIC);
    for (const s of SPEECHES) {
      for (const p of s.paragraphs) {
        const similarity = embedder.embedOne(p.text).reduce((sum, x, i) => sum + x * (question[i] ?? 0), 0);
        // Far below any dense threshold: the fake sees no word of the question in any passage.
        expect(similarity).toBeLessThan(0.1);
      }
    }
    const { retriever } = await hybridRetriever();
    expect(await retriever.ask(OFF_TOPIC, { topK: 3 })).toMatchObject({ mode: 'hybrid', noAnswer: true, passages: [] });
  });

  it('returns at most topK passages', async () => {
    // The fake's cosines for a one-word question are low (0.27 to 0.42); followers need one near the threshold.
    const { retriever } = await hybridRetriever({ minDenseScore: 0.3 });
    for (const topK of [1, 2]) {
      const answer = await retriever.ask('migration', { topK });
      expect(answer.passages).toHaveLength(topK);
      expectWellFormed(answer.passages);
    }
  });

  it('scores fused passages in (0, 1], best first', async () => {
    const { retriever } = await hybridRetriever();
    const answer = await retriever.ask('migration governance', { topK: 3 });
    const scores = answer.passages.map((p) => p.score);
    expect(scores.length).toBeGreaterThan(0);
    for (const score of scores) {
      expect(score).toBeGreaterThan(0);
      expect(score).toBeLessThanOrEqual(1);
    }
    for (let i = 1; i < scores.length; i += 1) expect(scores[i - 1] ?? 0).toBeGreaterThanOrEqual(scores[i] ?? 0);
  });

  it('embeds the question with the injected embedder', async () => {
    const { retriever, embedder } = await hybridRetriever();
    await retriever.ask(SYNONYM_QUESTION, { topK: 1 });
    expect(embedder.calls[0]).toEqual([SYNONYM_QUESTION]);
  });

  it('embeds each sentence of a quoted passage at most once across questions', async () => {
    const { retriever, embedder } = await hybridRetriever();
    await retriever.ask(SYNONYM_QUESTION, { topK: 1 });
    await retriever.ask(SYNONYM_QUESTION, { topK: 1 });
    const sentences = embedder.calls.flat().filter((text) => text !== SYNONYM_QUESTION);
    expect(new Set(sentences).size).toBe(sentences.length);
    expect(sentences.length).toBeGreaterThan(0);
  });

  it('lets options override the defaults: a dense threshold of 0.99 refuses the synonym question', async () => {
    const { retriever } = await hybridRetriever({ minDenseScore: 0.99 });
    expect(await retriever.ask(SYNONYM_QUESTION, { topK: 3 })).toMatchObject({ mode: 'hybrid', noAnswer: true, passages: [] });
  });

  it('treats dense: null as lexical mode', async () => {
    const plain = new Retriever({ speeches: SPEECHES, dense: null });
    expect(plain.mode).toBe('lexical');
    expect((await plain.ask(SYNONYM_QUESTION, { topK: 3 })).noAnswer).toBe(true);
  });
});
