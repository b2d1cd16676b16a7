// Unit tests of what the chat window and the terminal write for people to keep: permalinks, quotes as text and
// Markdown, the conversation export, folded long paragraphs, terminal citations, and the reconnect delays.

import { describe, expect, it } from 'vitest';
import type { RetrievalAnswer } from '../../server/core/retriever.ts';
import { formatAnswer } from '../../server/cli/answer-text.ts';
import { backoffDelay, DEFAULT_BACKOFF } from '../../client/backoff.ts';
import { conversationAsMarkdown } from '../../client/conversation-export.ts';
import { foldAround, FOLD_MIN_CHARS } from '../../client/passage-fold.ts';
import { passageAt, passagePath, passageUrl } from '../../client/passage-link.ts';
import { quoteAsMarkdown, quoteAsText } from '../../client/quote-text.ts';
import { SAMPLE_PASSAGE } from './fakes.ts';

const ORIGIN = 'http://127.0.0.1:3000';
const passage = SAMPLE_PASSAGE;

describe('permalinks', () => {
  it('name a paragraph of a speech and are read back from the location', () => {
    expect(passagePath({ speechId: passage.speech.id, paragraph: 12 })).toBe('/speeches/idm-2018-closing-remarks-swing#p12');
    expect(passageUrl({ speechId: 'idm-x', paragraph: 3 }, ORIGIN)).toBe(`${ORIGIN}/speeches/idm-x#p3`);
    expect(passageAt({ pathname: '/speeches/idm-x', hash: '#p3' })).toEqual({ speechId: 'idm-x', paragraph: 3 });
    expect(passageAt({ pathname: '/speeches/idm-x/', hash: '' })).toEqual({ speechId: 'idm-x', paragraph: 0 });
  });

  it.each([
    ['/', '#p3'],
    ['/speeches/', '#p3'],
    ['/speeches/..%2Fetc', '#p1'],
    ['/speeches/Not-An-Id', '#p1'],
    ['/speeches/idm-x/extra', '#p1'],
  ])('name nothing at %s%s', (pathname, hash) => {
    expect(passageAt({ pathname, hash })).toBeNull();
  });

  it('ignore a hash that is not a paragraph', () => {
    expect(passageAt({ pathname: '/speeches/idm-x', hash: '#top' })).toEqual({ speechId: 'idm-x', paragraph: 0 });
  });
});

describe('quotes to paste elsewhere', () => {
  it('as plain text: the words, the citation without empty fields, the permalink', () => {
    expect(quoteAsText(passage, { origin: ORIGIN })).toBe(
      `“${passage.text}”\n— Closing Remarks, William Lacy Swing, 27 March 2018, New York, ¶\u00a012\n${ORIGIN}/speeches/idm-2018-closing-remarks-swing#p12\n`,
    );
  });

  it('as Markdown: a block quote with markup characters escaped, the title in italics and a link', () => {
    expect(quoteAsMarkdown(passage, { origin: ORIGIN })).toBe(
      '> Forced labor is being addressed in the \\*current\\* GCM negotiations.\n>\n' +
        `> — *Closing Remarks*, William Lacy Swing, 27 March 2018, New York, ¶\u00a012 ([link](${ORIGIN}/speeches/idm-2018-closing-remarks-swing#p12))\n`,
    );
  });

  it('export a conversation with every question, passage, refusal and error', () => {
    const markdown = conversationAsMarkdown(
      [
        { ask: { type: 'ask', id: 'c1', question: 'Forced labour?', topK: 3 }, scope: 'only “Closing Remarks”', reply: { type: 'answer', id: 'c1', mode: 'lexical', noAnswer: false, passages: [passage] } },
        { ask: { type: 'ask', id: 'c2', question: 'Capital of Mongolia?', topK: 3 }, scope: null, reply: { type: 'answer', id: 'c2', mode: 'lexical', noAnswer: true, passages: [] } },
        { ask: { type: 'ask', id: 'c3', question: 'Too fast?', topK: 3 }, scope: null, reply: { type: 'error', id: 'c3', code: 'rate_limited', message: '' } },
        { ask: { type: 'ask', id: 'c4', question: 'Still waiting?', topK: 3 }, scope: null, reply: null },
      ],
      { origin: ORIGIN, exportedAt: new Date('2026-12-02T10:00:00Z') },
    );
    expect(markdown).toContain(`Exported on 2 December 2026 from ${ORIGIN}/.`);
    expect(markdown).toContain('## Forced labour?\n\n*Searched: only “Closing Remarks”*\n\n> Forced labor');
    expect(markdown).toContain('## Capital of Mongolia?\n\n*No relevant passage was found in the speeches for this question.*');
    expect(markdown).toContain('## Too fast?\n\n*Not answered: Too many questions in a short time.');
    expect(markdown).toContain('## Still waiting?\n\n*Not answered yet.*');
  });
});

describe('folding long paragraphs', () => {
  const sentence = (n: number) => `Sentence number ${n} says something about labour migration and its governance.`;
  const long = Array.from({ length: 30 }, (_, i) => sentence(i + 1)).join(' ');

  it('leaves paragraphs under the limit whole', () => {
    expect(foldAround('x'.repeat(FOLD_MIN_CHARS - 1), [[0, 5]])).toBeNull();
  });

  it('keeps the highlights in view with context, starting at a sentence and ending at a word', () => {
    const start = long.indexOf(sentence(15));
    const end = start + sentence(15).length;
    const fold = foldAround(long, [[start, end]]);
    expect(fold).not.toBeNull();
    if (fold === null) return;
    expect(fold.start).toBeLessThanOrEqual(start);
    expect(fold.end).toBeGreaterThanOrEqual(end);
    expect(long.slice(fold.start)).toMatch(/^Sentence number \d+ /);
    expect(long.charAt(fold.end)).toBe(' ');
    expect(fold.end - fold.start).toBeLessThan(long.length / 2);
  });

  it('shows the opening when nothing is highlighted, and nothing folded when the highlights cover most of it', () => {
    expect(foldAround(long, [])?.start).toBe(0);
    expect(foldAround(long, [[10, long.length - 10]])).toBeNull();
  });
});

describe('terminal citations', () => {
  it('name only the fields a speech has', () => {
    const answer = { mode: 'lexical', noAnswer: false, passages: [{ ...passage, speech: { ...passage.speech, speaker: '', event: 'IDM 2016', place: '' } }] } as unknown as RetrievalAnswer;
    const text = formatAnswer(answer, { emphasis: (words) => `**${words}**` });
    expect(text).toContain('— Closing Remarks; IDM 2016, 2018-03-27; paragraph 12 [idm-2018-closing-remarks-swing]');
    expect(text).toContain('“**Forced labor** is being');
    expect(text).not.toMatch(/, ,|; ;/);
  });
});

describe('reconnect delays', () => {
  it('never wait more than 2 s, so a server that is back is found within about 2 s', () => {
    for (let attempt = 1; attempt <= 50; attempt += 1) expect(backoffDelay(attempt, DEFAULT_BACKOFF, () => 0)).toBeLessThanOrEqual(2_000);
    expect(backoffDelay(1, DEFAULT_BACKOFF, () => 0)).toBeLessThanOrEqual(250);
  });
});
