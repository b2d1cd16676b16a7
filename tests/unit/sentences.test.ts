// Unit tests of sentence spans (abbreviations, initials, list markers, quotes) and of picking the spans to highlight.

import { describe, expect, it } from 'vitest';
import { DEFAULT_HIGHLIGHT_OPTIONS, pickHighlights, sentenceSpans, type Span } from '../../server/core/sentences.ts';

/** The sentences of a text, as strings. */
const sentencesOf = (text: string): string[] => sentenceSpans(text).map(([start, end]) => text.slice(start, end));

describe('sentenceSpans', () => {
  it('splits at full stops followed by a capital', () => {
    expect(sentencesOf('Migration is a fact. It must be governed. Data helps.')).toEqual([
      'Migration is a fact.',
      'It must be governed.',
      'Data helps.',
    ]);
  });

  it('splits at "!" and "?"', () => {
    expect(sentencesOf('Is it safe? Yes! It is orderly.')).toEqual(['Is it safe?', 'Yes!', 'It is orderly.']);
  });

  it('splits before a sentence starting with a digit', () => {
    expect(sentencesOf('We met twice. 2018 was a crucial year.')).toEqual(['We met twice.', '2018 was a crucial year.']);
  });

  it('does not split after "Mr.", "Dr.", "Prof.", "Amb." and similar abbreviations', () => {
    expect(sentencesOf('Mr. Swing thanked Dr. Smith, Prof. Jones and Amb. Lee. St. Lucia spoke too.')).toEqual([
      'Mr. Swing thanked Dr. Smith, Prof. Jones and Amb. Lee.',
      'St. Lucia spoke too.',
    ]);
  });

  it('does not split after "e.g.", "i.e." or "No."', () => {
    expect(sentencesOf('Some states, e.g. Mexico, agreed. See No. 5 of the list. That is, i.e. Rule 3 applies.')).toEqual([
      'Some states, e.g. Mexico, agreed.',
      'See No. 5 of the list.',
      'That is, i.e. Rule 3 applies.',
    ]);
  });

  it('does not split after initials such as "W. L. Swing"', () => {
    expect(sentencesOf('Director General W. L. Swing opened the session. He thanked everyone.')).toEqual([
      'Director General W. L. Swing opened the session.',
      'He thanked everyone.',
    ]);
  });

  it('keeps a leading list marker with the sentence it introduces', () => {
    expect(sentencesOf('1. Global dialogue is paramount. Partnerships enable delivery.')).toEqual([
      '1. Global dialogue is paramount.',
      'Partnerships enable delivery.',
    ]);
    expect(sentencesOf('First point. 2. Second point.')).toEqual(['First point.', '2. Second point.']);
    expect(sentencesOf('12. Twelfth item.')).toEqual(['12. Twelfth item.']);
  });

  it('keeps closing quotes and brackets with the sentence they close', () => {
    expect(sentencesOf('He said \u201cWe must act.\u201d The room agreed. (Applause.) "Thank you." She left.')).toEqual([
      'He said \u201cWe must act.\u201d',
      'The room agreed.',
      '(Applause.)',
      '"Thank you."',
      'She left.',
    ]);
  });

  it('does not split before a lowercase word or without a space', () => {
    expect(sentencesOf('Costs fell by 3.5 per cent. in total. It worked.Then more.')).toEqual([
      'Costs fell by 3.5 per cent. in total.',
      'It worked.Then more.',
    ]);
  });

  it('returns spans trimmed of surrounding whitespace, in order and without overlap', () => {
    const text = '  \n First one.   Second one!\n\n  Third one?  ';
    const spans = sentenceSpans(text);
    expect(spans.map(([s, e]) => text.slice(s, e))).toEqual(['First one.', 'Second one!', 'Third one?']);
    for (const [start, end] of spans) {
      expect(text[start]).toMatch(/\S/);
      expect(text[end - 1]).toMatch(/\S/);
      expect(end).toBeGreaterThan(start);
    }
    for (let i = 1; i < spans.length; i += 1) expect(spans[i]?.[0] ?? 0).toBeGreaterThanOrEqual(spans[i - 1]?.[1] ?? 0);
  });

  it('covers all non-space text of the paragraph', () => {
    const text = 'Mr. Swing spoke. 1. Dialogue matters! Does data? "Yes." (Indeed.) Final words without a stop';
    const spans = sentenceSpans(text);
    for (let i = 0; i < text.length; i += 1) {
      if (/\s/.test(text[i] ?? '')) continue;
      expect(spans.some(([start, end]) => start <= i && i < end), `character ${i} "${text[i]}"`).toBe(true);
    }
    expect(spans).toHaveLength(6);
  });

  it('returns the whole text as one span when there is no boundary', () => {
    expect(sentenceSpans('No full stop here')).toEqual([[0, 17]]);
    expect(sentenceSpans('Mr. Swing')).toEqual([[0, 9]]);
  });

  it('returns [] for empty or whitespace-only text', () => {
    expect(sentenceSpans('')).toEqual([]);
    expect(sentenceSpans(' \n\t ')).toEqual([]);
  });

  it('does not split after dotted abbreviations such as "H.E." and "U.S."', () => {
    expect(sentencesOf('H.E. Mr. Swing spoke. The U.S. Government agreed.')).toEqual(['H.E. Mr. Swing spoke.', 'The U.S. Government agreed.']);
  });
});

describe('pickHighlights', () => {
  const spans: Span[] = [
    [0, 10],
    [11, 20],
    [21, 30],
    [31, 40],
  ];

  it('uses maxSentences 2 and relativeFloor 0.85 by default', () => {
    expect(DEFAULT_HIGHLIGHT_OPTIONS).toEqual({ maxSentences: 2, relativeFloor: 0.85 });
  });

  it('marks only the best span when the others are not close', () => {
    expect(pickHighlights(spans, [0.2, 0.9, 0.5, 0])).toEqual([[11, 20]]);
  });

  it('adds a runner-up scoring at least relativeFloor of the best', () => {
    expect(pickHighlights(spans, [0.85, 1, 0.2, 0])).toEqual([
      [0, 10],
      [11, 20],
    ]);
    expect(pickHighlights(spans, [0.84, 1, 0.2, 0])).toEqual([[11, 20]]);
  });

  it('marks at most maxSentences spans, keeping the best ones', () => {
    expect(pickHighlights(spans, [0.9, 1, 0.95, 0.99])).toEqual([
      [11, 20],
      [31, 40],
    ]);
    expect(pickHighlights(spans, [0.9, 1, 0.95, 0.99], { maxSentences: 3, relativeFloor: 0.85 })).toEqual([
      [11, 20],
      [21, 30],
      [31, 40],
    ]);
    expect(pickHighlights(spans, [0.9, 1, 0.95, 0.99], { maxSentences: 1, relativeFloor: 0 })).toEqual([[11, 20]]);
  });

  it('returns the picked spans in text order, not score order', () => {
    expect(pickHighlights(spans, [0, 0.9, 0, 1])).toEqual([
      [11, 20],
      [31, 40],
    ]);
  });

  it('breaks score ties by text order', () => {
    expect(pickHighlights(spans, [0.5, 0.5, 0.5, 0.5])).toEqual([
      [0, 10],
      [11, 20],
    ]);
  });

  it('marks nothing when no span scores above zero', () => {
    expect(pickHighlights(spans, [0, 0, 0, 0])).toEqual([]);
    expect(pickHighlights(spans, [-1, 0, -0.5, 0])).toEqual([]);
    expect(pickHighlights(spans, [])).toEqual([]);
    expect(pickHighlights([], [1, 2])).toEqual([]);
  });

  it('never marks a span scoring zero, even under a zero floor', () => {
    expect(pickHighlights(spans, [0, 1, 0, 0], { maxSentences: 4, relativeFloor: 0 })).toEqual([[11, 20]]);
  });

  it('treats a missing score as zero', () => {
    expect(pickHighlights(spans, [0.3])).toEqual([[0, 10]]);
  });
});
