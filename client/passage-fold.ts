// Long paragraphs folded around their highlighted sentences: which part of a paragraph to show until the reader
// asks for the whole. Pure.

/** Paragraphs at least this long are folded (one real speech is a single 1,700-character paragraph). */
export const FOLD_MIN_CHARS = 800;
/** Characters of context kept on each side of the highlights, extended to whole words or sentences. */
const CONTEXT_CHARS = 180;

/** The part of a paragraph shown while it is folded: `[start, end)`. */
export interface Fold {
  start: number;
  end: number;
}

/**
 * Where to fold `text` so that its highlights (sorted, merged `[start, end)` ranges) stay in view with some
 * context, starting at a sentence or word and ending at a word; null when the paragraph is short enough to show
 * whole, or folding would hide little of it.
 */
export function foldAround(text: string, highlights: ReadonlyArray<readonly [number, number]>): Fold | null {
  if (text.length < FOLD_MIN_CHARS) return null;
  const first = highlights[0]?.[0] ?? 0;
  const last = highlights[highlights.length - 1]?.[1] ?? 0;
  let start = Math.max(0, first - CONTEXT_CHARS);
  let end = Math.min(text.length, Math.max(last, first) + CONTEXT_CHARS);
  if (start > 0) {
    // The sentence the context starts in, if it starts inside the context; else the next word.
    const sentence = text.slice(start, first).search(/[.!?;:]["'”’)\]]*\s+\S/);
    if (sentence >= 0) start += sentence + text.slice(start + sentence).search(/\s\S/) + 1;
    else if (text.charAt(start - 1).trim() !== '') start = Math.min(first, nextWordStart(text, start));
  }
  if (end < text.length && text.charAt(end).trim() !== '') end = Math.max(last, previousWordEnd(text, end));
  return end - start >= 0.8 * text.length ? null : { start, end };
}

function nextWordStart(text: string, from: number): number {
  const space = text.slice(from).search(/\s\S/);
  return space < 0 ? from : from + space + 1;
}

function previousWordEnd(text: string, from: number): number {
  const before = text.slice(0, from);
  const space = before.search(/\S\s+\S*$/);
  return space < 0 ? from : space + 1;
}
