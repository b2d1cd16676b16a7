// A question naming a speaker ("What did Amy Pope say about…", "the Director General"): the name says whose words
// are wanted, so it neither answers a question nor lets a paragraph that merely mentions the title in.

import { describe, expect, it } from 'vitest';
import { Retriever } from '../../server/core/retriever.ts';
import type { Speech } from '../../server/core/types.ts';
import { FakeEmbedder, FakeVectorStore } from './fakes.ts';

const para = (n: number, text: string) => ({ n, text, start: 0, end: text.length });
const POPE: Speech = {
  meta: { id: 'pope', title: 'Keynote', speaker: 'Amy Pope', role: 'Director General, International Organization for Migration', event: 'IDM', date: '2024-11-25', place: 'Geneva', source: '' },
  paragraphs: [
    para(1, 'Forced labour traps millions of migrant workers in debt bondage.'),
    para(2, 'We call for an end to forced labour in supply chains.'),
    para(3, 'Children on the move need protection, schooling and care.'),
    para(4, 'I thank the Director General of the World Health Organization for joining us.'),
  ],
};
const paragraphsOf = (answer: { passages: Array<{ paragraph: number }> }) => answer.passages.map((p) => p.paragraph);

async function hybrid(): Promise<Retriever> {
  const embedder = new FakeEmbedder({ dimension: 97 });
  const vectors = await FakeVectorStore.build(embedder, POPE.paragraphs.map((p) => ({ key: `pope#${p.n}`, text: p.text })));
  return new Retriever({ speeches: [POPE], dense: { embedder, vectors }, options: { minDenseScore: 0.3 } });
}

describe('questions that name a speaker', () => {
  it('lexical: answers about the topic in the speaker\'s paragraphs, though no paragraph holds the name', async () => {
    const retriever = new Retriever({ speeches: [POPE] });
    const answer = await retriever.ask('What did Amy Pope say about forced labour?', { topK: 3 });
    expect(answer.noAnswer).toBe(false);
    expect(paragraphsOf(answer).sort()).toEqual([1, 2]);
  });

  it('lexical: a paragraph that only mentions the title neither answers nor ranks first', async () => {
    const retriever = new Retriever({ speeches: [POPE] });
    expect((await retriever.ask('What did the Director General say about pension reforms?', { topK: 3 })).noAnswer).toBe(true);
    const answer = await retriever.ask('What did the Director General say about forced labour?', { topK: 3 });
    expect(paragraphsOf(answer)).not.toContain(4);
    expect(new Set(answer.passages.map((p) => p.score)).size).toBe(answer.passages.length);
  });

  it('a follow-up keeps the speaker of the question it follows out of its words', async () => {
    const first = 'What did the Director General say about forced labour?';
    const lexical = new Retriever({ speeches: [POPE] });
    expect(paragraphsOf(await lexical.ask('and what about them?', { topK: 3, history: [first] }))).not.toContain(4);
    const answer = await (await hybrid()).ask('and what about children?', { topK: 3, history: [first] });
    expect(paragraphsOf(answer)[0]).toBe(3);
  });
});
