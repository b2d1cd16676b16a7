// Lexical analysis: folding, tokenising, stop words, spelling variants and stemming into index terms.
// Used alike for passages and questions, so both sides always agree.

import { stemmer } from 'stemmer';

/**
 * English function words and question words. They carry no topic, so they neither match passages nor count
 * towards whether a question found anything relevant.
 */
export const STOP_WORDS: ReadonlySet<string> = new Set(
  `a about above after again against all also am an and any are aren't as at be because been before being below
  between both but by can cannot could couldn't did didn't do does doesn't doing don't down during each few for from
  further had hadn't has hasn't have haven't having he her here hers herself him himself his how i if in into is isn't
  it it's its itself just let's me more most mustn't my myself no nor not of off on once only or other ought our ours
  ourselves out over own same shan't she should shouldn't so some such than that that's the their theirs them
  themselves then there there's these they this those through to too under until up upon very was wasn't we were
  weren't what what's when where which while who whom why will with won't would wouldn't you your yours yourself
  yourselves say says said tell told please thing things much many way ways anything something`
    .split(/\s+/)
    .filter((word) => word.length > 0),
);

/** Folds case, accents, typographic quotes and dashes so that "Labour’s" and "labour's" are the same. */
export function foldText(text: string): string {
  // Quotes first: NFKD would split a double prime into two primes.
  return text
    .replace(/[\u2018\u2019\u201a\u201b\u2032]/g, "'")
    .replace(/[\u201c\u201d\u201e\u201f\u2033]/g, '"')
    .replace(/[\u2010-\u2015\u2212]/g, '-')
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase();
}

/** A word of the text with its position, before stop-word removal and stemming. */
export interface WordToken {
  /** The folded word. */
  word: string;
  /** Offset in the original text. */
  start: number;
  end: number;
}

const WORD_PATTERN = /[\p{L}\p{N}]+(?:'[\p{L}]+)?/gu;
const PLAIN_WORD = /^[A-Za-z0-9]+$/;

/**
 * Splits text into folded words with their offsets in the original text.
 * Folding keeps string length for the common cases (quotes, dashes, case), which keeps offsets exact.
 */
export function wordTokens(text: string): WordToken[] {
  const tokens: WordToken[] = [];
  // Offsets are taken on the unfolded text; each word is folded on its own so accents never shift positions.
  for (const match of text.matchAll(/[\p{L}\p{M}\p{N}]+(?:['\u2019][\p{L}\p{M}]+)?/gu)) {
    const start = match.index ?? 0;
    // Most words are plain ASCII, for which folding is lower-casing: the full fold is the costliest step here.
    const folded = PLAIN_WORD.test(match[0]) ? match[0].toLowerCase() : (foldText(match[0]).match(WORD_PATTERN)?.join('') ?? '');
    if (folded.length > 0) tokens.push({ word: folded, start, end: start + match[0].length });
  }
  return tokens;
}

/**
 * Maps British spellings onto American ones ("labour" → "labor", "organisation" → "organization"), so a
 * question in either spelling finds a speech in the other. Applied before stemming, on both sides.
 */
export function unifySpelling(word: string): string {
  return word
    .replace(/^(.{3,})our(s|ed|ing|ite|ites|able|er|ers|hood|less)?$/, '$1or$2')
    .replace(/^(.{3,})amme(s?)$/, '$1am$2')
    .replace(/^(.{3,})is(e|es|ed|ing|ation|ations|er|ers)$/, '$1iz$2')
    .replace(/^(.{3,})ys(e|es|ed|ing)$/, '$1yz$2')
    .replace(/^(.{2,}[^aeiou])tre(s?)$/, '$1ter$2');
}

/**
 * Terms of words met before. Stemming is the costliest step of analysing text, and speeches repeat their words, so
 * answering (highlights, coverage) and reading metadata mostly look terms up. Bounded: cleared when full.
 */
const TERM_MEMO = new Map<string, string | null>();
const TERM_MEMO_LIMIT = 200_000;

/** Turns one folded word into its index term, or null for a stop word or noise. */
export function termOf(word: string): string | null {
  const known = TERM_MEMO.get(word);
  if (known !== undefined) return known;
  const term = analyseWord(word);
  if (TERM_MEMO.size >= TERM_MEMO_LIMIT) TERM_MEMO.clear();
  TERM_MEMO.set(word, term);
  return term;
}

function analyseWord(word: string): string | null {
  const bare = word.replace(/'s$/, '').replace(/'/g, '');
  if (bare.length === 0 || STOP_WORDS.has(word) || STOP_WORDS.has(bare)) return null;
  // Single letters and digits ("a", "1") are list markers or noise in speeches, never topics.
  if (bare.length === 1) return null;
  return stemmer(unifySpelling(bare));
}

/** The index terms of a text, in order, with repeats. */
export function termsOf(text: string): string[] {
  const terms: string[] = [];
  for (const token of wordTokens(text)) {
    const term = termOf(token.word);
    if (term !== null) terms.push(term);
  }
  return terms;
}
