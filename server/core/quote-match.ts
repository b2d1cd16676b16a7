// Whether a passage contains a quoted answer, after folding whitespace, case, dashes, quotes and markup.
// The definition of a retrieval hit used by tests and by evaluation.

import { foldText } from './terms.ts';

/** Folds text for quote matching: markup removed, case/dash/quote folded, whitespace collapsed. */
export function foldForMatch(text: string): string {
  return foldText(text.replace(/\*\*|__|(?<!\w)[*_](?=\w)|(?<=\w)[*_](?!\w)/g, ''))
    .replace(/\s+/g, ' ')
    .trim();
}

/** True when `text` contains `quote` after {@link foldForMatch} on both. */
export function containsQuote(text: string, quote: string): boolean {
  return foldForMatch(text).includes(foldForMatch(quote));
}
