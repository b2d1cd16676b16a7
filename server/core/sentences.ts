// Sentence boundaries inside a paragraph, as character spans, for highlighting the part that answers.

/** A `[start, end)` span of a text. */
export type Span = [number, number];

// Words after which a full stop does not end a sentence.
const ABBREVIATIONS = new Set(['mr', 'mrs', 'ms', 'dr', 'prof', 'st', 'no', 'nos', 'vs', 'etc', 'e.g', 'i.e', 'art', 'para', 'fig', 'jr', 'sr', 'hon', 'amb']);

/**
 * Splits a paragraph into sentence spans covering all of its non-space text, trimmed of surrounding whitespace.
 * A leading list marker ("2. ") stays with the sentence it introduces.
 */
export function sentenceSpans(text: string): Span[] {
  const spans: Span[] = [];
  const boundary = /[.!?]+["'\u201d\u2019)\]]*(?=\s+["'\u201c\u2018(\[]?[\p{Lu}\p{N}])/gu;
  let start = 0;
  for (const match of text.matchAll(boundary)) {
    const end = (match.index ?? 0) + match[0].length;
    const before = text.slice(start, match.index ?? 0);
    const lastWord = (/([\p{L}.]+)$/u.exec(before)?.[1] ?? '').toLowerCase();
    // Initials ("W. L. Swing"), dotted abbreviations ("H.E.", "U.S."), abbreviations and list markers ("1.")
    // do not end sentences.
    if (lastWord.length === 1 && /\p{L}/u.test(lastWord)) continue;
    if (/^(?:\p{L}\.)+\p{L}$/u.test(lastWord)) continue;
    if (ABBREVIATIONS.has(lastWord.replace(/\.$/, ''))) continue;
    if (/^\s*\d{1,2}$/.test(before)) continue;
    pushTrimmed(spans, text, start, end);
    start = end;
  }
  pushTrimmed(spans, text, start, text.length);
  return spans;
}

function pushTrimmed(spans: Span[], text: string, from: number, to: number): void {
  let start = from;
  let end = to;
  while (start < end && /\s/.test(text[start] ?? '')) start += 1;
  while (end > start && /\s/.test(text[end - 1] ?? '')) end -= 1;
  if (end > start) spans.push([start, end]);
}

/** Options for {@link pickHighlights}. */
export interface HighlightOptions {
  /** Most sentences to mark. */
  maxSentences: number;
  /** A sentence other than the best is marked only when its score is at least this share of the best's. */
  relativeFloor: number;
}

/** Defaults for {@link pickHighlights}. */
export const DEFAULT_HIGHLIGHT_OPTIONS: HighlightOptions = { maxSentences: 2, relativeFloor: 0.85 };

/**
 * Picks the spans to highlight given a score per span: the best one, plus close runners-up, in text order.
 * Nothing is marked when no span scores above zero.
 */
export function pickHighlights(spans: readonly Span[], scores: readonly number[], options: HighlightOptions = DEFAULT_HIGHLIGHT_OPTIONS): Span[] {
  const ranked = spans
    .map((span, index) => ({ span, score: scores[index] ?? 0, index }))
    .filter((entry) => entry.score > 0)
    .sort((a, b) => b.score - a.score || a.index - b.index);
  const best = ranked[0];
  if (best === undefined) return [];
  return ranked
    .filter((entry) => entry.score >= best.score * options.relativeFloor)
    .slice(0, options.maxSentences)
    .sort((a, b) => a.index - b.index)
    .map((entry) => entry.span);
}
