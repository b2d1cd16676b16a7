// Deriving a new speech's id from its date and title: a safe file stem, unique in the corpus. Pure.

import { AppError } from './errors.ts';
import { isIsoDate, isSpeechId } from './speech-meta.ts';

/** Prefix of every derived id, as in the seed speech's `idm-2018-closing-remarks-swing`. */
export const SPEECH_ID_PREFIX = 'idm';
/** The slug is cut, at a word boundary, to at most this many characters: an id is a handle, not the title. */
const MAX_SLUG_CHARS = 32;
/** Used when a title has no letters or digits in the Latin alphabet. */
const FALLBACK_SLUG = 'speech';

/** Latin letters that do not decompose into a base letter and an accent. */
const LATIN_LETTERS: Readonly<Record<string, string>> = { ß: 'ss', æ: 'ae', ø: 'o', œ: 'oe', ð: 'd', þ: 'th', ł: 'l', đ: 'd', ı: 'i' };
/** Words that carry nothing in an id. */
const SMALL_WORDS = new Set(['a', 'an', 'and', 'as', 'at', 'by', 'for', 'from', 'in', 'into', 'its', 'of', 'on', 'or', 'per', 'the', 'to', 'via', 'vs', 'with']);
/** What every id already says with its `idm-` prefix: the dialogue's name, with the year the date already gives. */
const REDUNDANT = /\b(?:international dialogue on migration(?: (?:19|20)\d\d)?|idm)\b/g;
/** Where a title's main part ends and a subtitle begins: a colon, a spaced dash, a bracket. */
const SUBTITLE_BREAK = /:|\s[-–—]+\s|[()[\]]/;

/** Lowercase ASCII words of `text`: accents dropped, other characters splitting words. */
function asciiWords(text: string): string[] {
  return text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[ßæøœðþłđı]/g, (letter) => LATIN_LETTERS[letter] ?? '')
    .split(/[^a-z0-9]+/)
    .filter((word) => word !== '');
}

/** `words` joined by dashes, cut at a word boundary to {@link MAX_SLUG_CHARS} (a single longer word is cut). */
function joinWithin(words: readonly string[]): string {
  let slug = '';
  for (const word of words) {
    const next = slug === '' ? word : `${slug}-${word}`;
    if (next.length > MAX_SLUG_CHARS) break;
    slug = next;
  }
  return slug === '' ? (words[0] ?? '').slice(0, MAX_SLUG_CHARS) : slug;
}

/**
 * The title as a short slug of lowercase ASCII words joined by dashes: the main title (before a subtitle) without
 * small words and without the dialogue's own name, cut at a word boundary to 32 characters
 * ("Opening Remarks, International Dialogue on Migration in Geneva: Understanding …" → "opening-remarks-geneva").
 */
export function slugOf(title: string): string {
  const words: string[] = [];
  for (const part of title.split(SUBTITLE_BREAK)) {
    const folded = asciiWords(part).join(' ').replace(REDUNDANT, ' ');
    words.push(...folded.split(' ').filter((word) => word !== '' && !SMALL_WORDS.has(word)));
    // A title's main part says what the speech is; subtitles are only read when it says too little.
    if (words.length >= 2) break;
  }
  const slug = joinWithin(words.length > 0 ? words : asciiWords(title));
  return slug === '' ? FALLBACK_SLUG : slug;
}

/**
 * A new speech id: `idm-<date>-<slug of the title>`, with `-2`, `-3`… appended when the id is taken.
 * @param taken every file stem already in the corpus folder, so no existing file is ever overwritten.
 * @throws AppError `bad_request` when `date` is not a real `YYYY-MM-DD` date.
 */
export function deriveSpeechId(input: { date: string; title: string; taken: ReadonlySet<string> }): string {
  if (!isIsoDate(input.date)) throw new AppError('bad_request', `date: expected YYYY-MM-DD, got "${input.date}"`);
  const base = `${SPEECH_ID_PREFIX}-${input.date}-${slugOf(input.title)}`;
  for (let n = 1; n <= input.taken.size + 1; n += 1) {
    const id = n === 1 ? base : `${base}-${n}`;
    if (!input.taken.has(id)) {
      if (!isSpeechId(id)) throw new AppError('internal', `derived speech id "${id}" does not match the id pattern`);
      return id;
    }
  }
  // Unreachable: among taken.size + 1 candidates at least one is free.
  throw new AppError('internal', `no free speech id for "${base}"`);
}
