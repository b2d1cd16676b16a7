// Tests of the pure paragraph splitter and front-matter detector, on the seed speech and on synthetic texts.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { findDate, parseFrontMatter } from '../../server/core/front-matter.ts';
import { splitSpeech, type SplitSpeech } from '../../server/core/paragraphs.ts';

const SEED_PATH = new URL('../../corpus/idm-2018-closing-remarks-swing.txt', import.meta.url);

/** Every paragraph's raw span starts with its first 20 and ends with its last 10 characters. */
function expectOffsetsCoverText(raw: string, split: SplitSpeech, options: { foldWhitespace: boolean }): void {
  const fold = (s: string): string => (options.foldWhitespace ? s.replace(/\s+/g, ' ') : s);
  for (const p of split.paragraphs) {
    const span = fold(raw.slice(p.start, p.end));
    expect(span.startsWith(p.text.slice(0, 20)), `start of #${p.n}`).toBe(true);
    expect(span.endsWith(p.text.slice(-10)), `end of #${p.n}`).toBe(true);
  }
}

describe('splitSpeech on the seed speech', () => {
  const raw = readFileSync(SEED_PATH, 'utf8');
  const split = splitSpeech(raw);
  const texts = split.paragraphs.map((p) => p.text);

  it('finds exactly 26 content paragraphs, numbered 1..26 in order', () => {
    expect(split.paragraphs).toHaveLength(26);
    expect(split.paragraphs.map((p) => p.n)).toEqual(Array.from({ length: 26 }, (_v, i) => i + 1));
    const starts = split.paragraphs.map((p) => p.start);
    expect([...starts].sort((a, b) => a - b)).toEqual(starts);
  });

  it.each([
    [1, 'I would like to start by thanking all of'],
    [2, 'This was the first of two IDMs that IOM '],
    [3, 'Over the last two days, we have heard ma'],
    [4, 'A more elaborate summary of the discussi'],
    [5, 'I thank all panelists, and all of you, o'],
    [6, 'I would also like to thank the Governmen'],
    [7, 'To summarize the main conclusions result'],
    [8, '1. Global dialogue and cooperation among'],
    [9, 'Throughout our discussions, you highligh'],
    [10, 'Let me emphasize what Special Representa'],
    [11, 'I thank the distinguished representative'],
    [12, 'IOM fully believes in inter-agency coope'],
    [13, 'You all highlighted in your contribution'],
    [14, 'Many of you highlighted the importance o'],
    [15, 'Safe, orderly and regular migration in c'],
    [16, '2. Migration data and data analysis must'],
    [17, 'Good policies will result from the work '],
    [18, 'As mentioned by our speakers yesterday, '],
    [19, 'Building on this last point, I wish to a'],
    [20, '3. Regional groups and consultative proc'],
    [21, 'These are often where the most in-depth '],
    [22, '4. We must redouble our efforts to eradi'],
    [23, 'As FAO Director General Da Silva well pu'],
    [24, '5. Finally, as a number of you distingui'],
    [25, 'We must continue working together in an '],
    [26, 'This is a crucial year in the field of m'],
  ])('paragraph %i starts "%s"', (n, start) => {
    expect(texts[n - 1]?.slice(0, 40)).toBe(start);
  });

  it('rejoins the three paragraphs cut by page breaks', () => {
    expect(texts[7]).toBe(
      '1. Global dialogue and cooperation among all actors – including youth – on migration governance are paramount to success. Genuine partnerships and cooperation, with all relevant actors, will enable us to deliver on the commitments we will make on migration in the GMC.',
    );
    expect(texts[11]).toContain('make it work for all. Assisting, and not competing');
    expect(texts[20]).toContain('We also heard about the role of processes such as the GFMD');
    expect(texts[20]?.endsWith('at the global level.')).toBe(true);
    // The continuations are not paragraphs of their own.
    expect(texts.some((t) => /^\p{Ll}/u.test(t))).toBe(false);
  });

  it('removes every line repeated at the top of pages (the running header)', () => {
    const pages = raw.replace(/\r\n?/g, '\n').split(/\n{3,}/).slice(1);
    const pagesWithLine = new Map<string, number>();
    for (const page of pages) {
      const top = page.split('\n').map((l) => l.trim()).filter(Boolean).slice(0, 3);
      for (const line of new Set(top)) pagesWithLine.set(line, (pagesWithLine.get(line) ?? 0) + 1);
    }
    const repeated = [...pagesWithLine].filter(([, count]) => count >= 2).map(([line]) => line);
    expect(repeated.length).toBeGreaterThan(0);
    for (const text of texts) for (const line of repeated) expect(text).not.toContain(line);
  });

  it('removes markup but keeps its words', () => {
    expect(texts.some((t) => t.includes('**'))).toBe(false);
    expect(texts[18]).toContain('from the discussions these two days: the need for all of us actors');
    expect(texts[18]).toContain('woman and children. The Global Compact');
  });

  it('keeps salutations, headings and front matter out of the paragraphs', () => {
    for (const text of texts) {
      expect(text.length).toBeGreaterThan(100);
      expect(text).toMatch(/[.!?:;]$/);
    }
  });

  it('detects the front matter', () => {
    expect(split.frontMatter).toEqual({
      title: 'Closing Remarks',
      speaker: 'William Lacy Swing',
      role: 'Director General, International Organization for Migration',
      event: 'International Dialogue on Migration',
      date: '2018-03-27',
      place: 'UN Headquarters, New York',
    });
  });

  it('reads the same paragraphs with CR line ends or form-feed page breaks', () => {
    const viaCr = splitSpeech(raw.replace(/\n/g, '\r')).paragraphs.map((p) => p.text);
    const viaFormFeed = splitSpeech(raw.replace(/\n{4}/g, '\n\f')).paragraphs.map((p) => p.text);
    expect(viaCr).toEqual(texts);
    expect(viaFormFeed).toEqual(texts);
  });

  it('gives offsets into the original text', () => {
    expectOffsetsCoverText(raw, split, { foldWhitespace: false });
    const twelve = split.paragraphs[11];
    // A joined paragraph's span includes the page break and header inside it.
    expect(twelve && raw.slice(twelve.start, twelve.end)).toMatch(/work for\n{3,}[\s\S]+\n\nall\. Assisting/);
  });
});

describe('splitSpeech on synthetic texts', () => {
  const header = 'Ministry of Examples — Permanent Mission to Testland';
  const footer = (n: number): string[] => ['', 'Confidential draft', `Page ${n}`];
  const pages = [
    [
      header, '', 'OPENING STATEMENT', '', 'Maria Elena Rossi, Permanent Representative', 'Republic of Examplia', '',
      'GLOBAL FORUM ON WIDGET MOBILITY', '', 'Geneva, 5 June 2019', '', 'Mr. Chair,', 'Dear colleagues,', '',
      'It is an honour to address this forum on behalf', 'of my Government and to share our views.', '',
      'Our first priority is the develop-', 'ment of fair rules for every', ...footer(1),
    ],
    [
      header, '', 'traveller, wherever they come from.', '',
      'We print the letterhead exactly as it reads:', header, 'and nothing else changes.', '',
      'Priorities', '', 'A second short paragraph.', '', 'A third paragraph makes the page long enough.', '',
      'Our second point concerns the co-', ...footer(2),
    ],
    [header, '', 'ordination of partners across borders.', '', 'Thank you for your attention.', ...footer(3)],
  ];
  const raw = pages.map((lines) => lines.join('\r\n')).join('\r\n\f');
  const split = splitSpeech(raw);

  it('drops the repeated header, footer and page numbers, joins wraps, breaks and hyphens', () => {
    expect(split.paragraphs.map((p) => p.text)).toEqual([
      'It is an honour to address this forum on behalf of my Government and to share our views.',
      'Our first priority is the development of fair rules for every traveller, wherever they come from.',
      `We print the letterhead exactly as it reads: ${header} and nothing else changes.`,
      'A second short paragraph.',
      'A third paragraph makes the page long enough.',
      'Our second point concerns the coordination of partners across borders.',
      'Thank you for your attention.',
    ]);
    expect(split.paragraphs.map((p) => p.n)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    // Soft wraps and CRLF sit inside the spans here, so compare with whitespace folded.
    expectOffsetsCoverText(raw, split, { foldWhitespace: true });
  });

  it('detects front matter from generic cues', () => {
    expect(split.frontMatter).toEqual({
      title: 'Opening Statement',
      speaker: 'Maria Elena Rossi',
      role: 'Permanent Representative, Republic of Examplia',
      event: 'Global Forum on Widget Mobility',
      date: '2019-06-05',
      place: 'Geneva',
    });
  });

  it('gives empty front matter and every paragraph when there is none', () => {
    const plain = 'First paragraph of\nthe text.\n\nSecond paragraph, with *emphasis* and __strong__ words.\n\nThird one!';
    const result = splitSpeech(plain);
    expect(result.frontMatter).toEqual({});
    expect(result.paragraphs.map((p) => p.text)).toEqual([
      'First paragraph of the text.',
      'Second paragraph, with emphasis and strong words.',
      'Third one!',
    ]);
    expect(result.paragraphs[0]).toMatchObject({ n: 1, start: 0, end: 28 });
    expect(result.paragraphs[2]).toMatchObject({ n: 3, start: plain.length - 10, end: plain.length });
  });

  it('does not join across a page break after a finished sentence', () => {
    const result = splitSpeech('One finished sentence.\n\n\n\nlowercase start of another paragraph.');
    expect(result.paragraphs.map((p) => p.text)).toEqual([
      'One finished sentence.',
      'lowercase start of another paragraph.',
    ]);
  });

  it('returns nothing for an empty text', () => {
    expect(splitSpeech('')).toEqual({ paragraphs: [], frontMatter: {}, unreadable: {} });
  });
});

describe('front-matter parsing', () => {
  it.each([
    ['27 March 2018, UN Headquarters, New York', '2018-03-27'],
    ['March 27, 2018', '2018-03-27'],
    ['Tuesday, 27th March 2018', '2018-03-27'],
    ['27.03.2018', '2018-03-27'],
    ['2018-03-27', '2018-03-27'],
    ['12/31/2019', '2019-12-31'],
  ])('reads the date in "%s" as %s', (line, iso) => {
    expect(findDate(line)?.iso).toBe(iso);
  });

  it('rejects impossible dates', () => {
    expect(findDate('31 February 2018')).toBeUndefined();
    expect(findDate('no date here')).toBeUndefined();
  });

  it('takes a name-only speaker line with the role on the next line, and keeps acronyms in title case', () => {
    expect(
      parseFrontMatter([
        ['KEYNOTE ADDRESS'],
        ['Jane Q. Public', 'Special Envoy of the UN Secretary-General'],
        ['HIGH-LEVEL SEGMENT OF THE IOM COUNCIL (IDM)'],
        ['Palais des Nations, Geneva – 3 November 2021'],
      ]),
    ).toEqual({
      title: 'Keynote Address',
      speaker: 'Jane Q. Public',
      role: 'Special Envoy of the UN Secretary-General',
      event: 'High-Level Segment of the IOM Council (IDM)',
      date: '2021-11-03',
      place: 'Palais des Nations, Geneva',
    });
  });
});
