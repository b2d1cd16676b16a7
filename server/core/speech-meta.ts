// Speech ids and metadata, defined once: the id rule, and the table of metadata fields from which the record
// type, the empty record, the one validator of a field value and the check of a stored record all derive. Pure.

import { AppError } from './errors.ts';

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

/** How one metadata field is named, shown and checked. */
export interface MetaFieldRule {
  /** The name people read, and the key of its header-block line (`Title: …`). */
  label: string;
  /** A speech cannot be saved without it. */
  required: boolean;
  /** `date`: a real date written `YYYY-MM-DD`; `text`: one line of text; `source`: text, or an http(s) address. */
  kind: 'text' | 'date' | 'source';
  /** What the field holds, for help texts. */
  description: string;
}

/** Every metadata field of a speech, in display order: the one definition the rest derives from. */
export const SPEECH_FIELDS = {
  title: { label: 'Title', required: true, kind: 'text', description: 'the title of the speech' },
  speaker: { label: 'Speaker', required: false, kind: 'text', description: 'who gave it' },
  role: { label: 'Role', required: false, kind: 'text', description: "the speaker's role, e.g. Director General, IOM" },
  event: { label: 'Event', required: false, kind: 'text', description: 'where it was given, e.g. International Dialogue on Migration 2019' },
  date: { label: 'Date', required: true, kind: 'date', description: 'the day it was given, YYYY-MM-DD' },
  place: { label: 'Place', required: false, kind: 'text', description: 'the city or venue' },
  source: { label: 'Source', required: false, kind: 'source', description: 'where the text came from: a web address or a file name' },
} as const satisfies Record<string, MetaFieldRule>;

/** One metadata field. */
export type MetaField = keyof typeof SPEECH_FIELDS;

/** The metadata fields in display order. */
export const META_FIELDS = Object.keys(SPEECH_FIELDS) as readonly MetaField[];

/** Fields a speech cannot do without. */
export const REQUIRED_META_FIELDS: readonly MetaField[] = META_FIELDS.filter((field) => SPEECH_FIELDS[field].required);

/** A value for every metadata field (`''` when there is none). */
export type SpeechMetaValues = Record<MetaField, string>;

/** Metadata of one speech, as kept beside its text in `corpus/`: its id (the file stem) and every field. */
export interface SpeechMeta extends SpeechMetaValues {
  /** Safe id, also the file stem in `corpus/` (lowercase letters, digits, dashes). */
  id: string;
}

/** Metadata values given by a person or found in a text; a field is absent when it was not given. */
export type MetaFields = Partial<SpeechMetaValues>;

/** Longest value accepted for any field. */
export const MAX_META_FIELD_CHARS = 500;

/** True when `key` names a metadata field. */
export const isMetaField = (key: string): key is MetaField => Object.hasOwn(SPEECH_FIELDS, key);

/** A record with every field empty. */
export function emptyMetaValues(): SpeechMetaValues {
  return Object.fromEntries(META_FIELDS.map((field) => [field, ''])) as SpeechMetaValues;
}

/**
 * Checks one field's value and returns it trimmed: a string of one line without control characters, at most
 * {@link MAX_META_FIELD_CHARS} long; a date also a real `YYYY-MM-DD` date; a source plain text or an http(s)
 * address. Empty is allowed here.
 * @throws AppError `bad_request` naming the field.
 */
export function checkMetaField(field: MetaField, value: unknown): string {
  const isDate = SPEECH_FIELDS[field].kind === 'date';
  if (typeof value !== 'string') throw new AppError('bad_request', `${field}: must be ${isDate ? 'a date written YYYY-MM-DD' : 'a string'}`);
  const text = value.trim();
  if (text.length > MAX_META_FIELD_CHARS) throw new AppError('bad_request', `${field}: longer than ${MAX_META_FIELD_CHARS} characters`);
  // Control characters would end up in JSON files and terminal tables; line breaks in a title are a paste accident.
  if (/\p{Cc}/u.test(text)) throw new AppError('bad_request', `${field}: must be one line of text without control characters`);
  if (isDate && text !== '' && !isIsoDate(text)) {
    throw new AppError('bad_request', `${field}: expected a real date written YYYY-MM-DD, got "${text.slice(0, 40)}"`);
  }
  if (SPEECH_FIELDS[field].kind === 'source' && !isAcceptableSource(text)) {
    throw new AppError('bad_request', `${field}: an address must start with http:// or https://; other sources are written as plain text`);
  }
  return text;
}

/**
 * True when a `source` value is plain text or an http(s) address. An address of another scheme (`javascript:`,
 * `data:`, `file:`…), written as one word starting with `scheme:`, is not: a source is shown as a link only when
 * it is an http(s) address, and nothing else that could act as a link is kept.
 */
export function isAcceptableSource(text: string): boolean {
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(text.trim());
  if (scheme === null || /\s/.test(text.trim())) return true;
  return ['http', 'https'].includes((scheme[1] ?? '').toLowerCase());
}

/**
 * A value found in a text or a file name made fit for a field: whitespace and control characters folded to
 * single spaces, cut at a word boundary to {@link MAX_META_FIELD_CHARS}.
 */
export function cleanMetaValue(text: string): string {
  const folded = text.replace(/[\s\p{Cc}]+/gu, ' ').trim();
  if (folded.length <= MAX_META_FIELD_CHARS) return folded;
  const cut = folded.slice(0, MAX_META_FIELD_CHARS + 1);
  const space = cut.lastIndexOf(' ');
  return (space > 0 ? cut.slice(0, space) : cut.slice(0, MAX_META_FIELD_CHARS)).trim();
}

/**
 * Checks metadata read from a file by the same rules as metadata sent to the API, and returns it complete.
 * Unknown keys are ignored; a missing optional field is `''`.
 * @param where names the source in error messages, e.g. the file.
 * @throws AppError `corpus_invalid` naming the bad key.
 */
export function checkSpeechMeta(id: string, value: unknown, where: string): SpeechMeta {
  if (!isSpeechId(id)) throw new AppError('corpus_invalid', `${where}: "${id}" is not a valid speech id`);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new AppError('corpus_invalid', `${where}: metadata must be a JSON object`);
  }
  const record = value as Record<string, unknown>;
  const meta: SpeechMeta = { id, ...emptyMetaValues() };
  for (const field of META_FIELDS) {
    const raw = record[field];
    if (raw !== undefined) {
      try {
        meta[field] = checkMetaField(field, raw);
      } catch (error) {
        const message = error instanceof AppError ? error.message.replace(`${field}: `, '') : String(error);
        throw new AppError('corpus_invalid', `${where}: "${field}" ${message}`);
      }
    }
    if (SPEECH_FIELDS[field].required && meta[field] === '') {
      const hint = SPEECH_FIELDS[field].kind === 'date' ? ' (a date written YYYY-MM-DD)' : '';
      throw new AppError('corpus_invalid', `${where}: "${field}" is required${hint}`);
    }
  }
  return meta;
}
