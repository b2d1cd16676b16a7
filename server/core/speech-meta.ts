// Speech ids and metadata: the rules a speech's id and metadata must meet, checked on untrusted input.

import { AppError } from './errors.ts';
import type { SpeechMeta } from './types.ts';

/** A speech id: lowercase letters, digits and single dashes, at most 120 characters. Safe as a file stem. */
export const SPEECH_ID_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const MAX_ID_LENGTH = 120;

/** True when `value` is a well-formed speech id. */
export function isSpeechId(value: string): boolean {
  return value.length <= MAX_ID_LENGTH && SPEECH_ID_PATTERN.test(value);
}

/** True when `value` is a real calendar date written `YYYY-MM-DD`. */
export function isIsoDate(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(value);
}

const TEXT_FIELDS = ['title', 'speaker', 'role', 'event', 'place', 'source'] as const;

/**
 * Checks metadata read from a file or a request and returns it complete.
 * @param where names the source in error messages, e.g. the file.
 * @throws AppError `corpus_invalid` naming the bad key.
 */
export function checkSpeechMeta(id: string, value: unknown, where: string): SpeechMeta {
  if (!isSpeechId(id)) throw new AppError('corpus_invalid', `${where}: "${id}" is not a valid speech id`);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new AppError('corpus_invalid', `${where}: metadata must be a JSON object`);
  }
  const record = value as Record<string, unknown>;
  const meta: SpeechMeta = { id, title: '', speaker: '', role: '', event: '', date: '', place: '', source: '' };
  for (const key of TEXT_FIELDS) {
    const field = record[key];
    if (field === undefined) continue;
    if (typeof field !== 'string') throw new AppError('corpus_invalid', `${where}: "${key}" must be a string`);
    meta[key] = field.trim();
  }
  if (meta.title === '') throw new AppError('corpus_invalid', `${where}: "title" is required`);
  const date = record.date;
  if (typeof date !== 'string' || !isIsoDate(date)) {
    throw new AppError('corpus_invalid', `${where}: "date" must be a date written YYYY-MM-DD`);
  }
  meta.date = date;
  return meta;
}
