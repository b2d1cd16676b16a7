// Deriving a new speech's id from its date and title: a safe file stem, unique in the corpus. Pure.

import { AppError } from './errors.ts';
import { isIsoDate, isSpeechId } from './speech-meta.ts';

/** Prefix of every derived id, as in the seed speech's `idm-2018-closing-remarks-swing`. */
export const SPEECH_ID_PREFIX = 'idm';
/** The slug of the title is cut, at a word boundary, to at most this many characters. */
const MAX_SLUG_CHARS = 60;
/** Used when a title has no letters or digits in the Latin alphabet. */
const FALLBACK_SLUG = 'speech';

/** Latin letters that do not decompose into a base letter and an accent. */
const LATIN_LETTERS: Readonly<Record<string, string>> = { ß: 'ss', æ: 'ae', ø: 'o', œ: 'oe', ð: 'd', þ: 'th', ł: 'l', đ: 'd', ı: 'i' };

/** The title folded to lowercase ASCII words joined by dashes ("Migration & Climate: Côte d'Ivoire" → "migration-climate-cote-d-ivoire"). */
export function slugOf(title: string): string {
  const words = title
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[ßæøœðþłđı]/g, (letter) => LATIN_LETTERS[letter] ?? '')
    .split(/[^a-z0-9]+/)
    .filter((word) => word !== '');
  let slug = '';
  for (const word of words) {
    const next = slug === '' ? word : `${slug}-${word}`;
    if (next.length > MAX_SLUG_CHARS) break;
    slug = next;
  }
  // A single word longer than the limit is cut rather than lost.
  if (slug === '' && words.length > 0) slug = (words[0] ?? '').slice(0, MAX_SLUG_CHARS);
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
