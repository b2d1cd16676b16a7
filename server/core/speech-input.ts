// Metadata a person sends (command-line flags, form fields, JSON): checking it, and settling a new speech's
// metadata from explicit values, what the text itself says, and the file name. Pure.

import { AppError } from './errors.ts';
import type { DetectedMeta } from './front-matter.ts';
import { isIsoDate } from './speech-meta.ts';
import type { SpeechMeta } from './types.ts';

/** The metadata fields a person may give or edit, in display order. */
export const META_FIELDS = ['title', 'speaker', 'role', 'event', 'date', 'place', 'source'] as const;

/** One editable metadata field. */
export type MetaField = (typeof META_FIELDS)[number];

/** Metadata values sent by a person; a field is absent when it was not given. */
export type MetaFields = Partial<Record<MetaField, string>>;

/** A speech's metadata without its id. */
export type SpeechMetaValues = Omit<SpeechMeta, 'id'>;

/** Longest value accepted for any field. */
export const MAX_META_FIELD_CHARS = 500;
/** Fields a speech cannot do without. */
const REQUIRED_FIELDS: readonly MetaField[] = ['title', 'date'];

const isMetaField = (key: string): key is MetaField => (META_FIELDS as readonly string[]).includes(key);

/**
 * True when a `source` value is plain text or an http(s) address. An address of another scheme (`javascript:`,
 * `data:`, `file:`…), written as one word starting with `scheme:`, is not: a source is shown as a link only when
 * it is an http(s) address, and nothing else that could act as a link is kept.
 */
export function isAcceptableSource(text: string): boolean {
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(text.trim());
  if (scheme === null || /\s/.test(text.trim())) return true;
  return ['http', 'https'].includes(scheme[1]!.toLowerCase());
}

/**
 * Checks one field's value and returns it trimmed.
 * @throws AppError `bad_request` naming the field.
 */
export function checkMetaField(field: MetaField, value: unknown): string {
  if (typeof value !== 'string') throw new AppError('bad_request', `${field}: must be a string`);
  const text = value.trim();
  if (text.length > MAX_META_FIELD_CHARS) throw new AppError('bad_request', `${field}: longer than ${MAX_META_FIELD_CHARS} characters`);
  // Control characters would end up in JSON files and terminal tables; line breaks in a title are a paste accident.
  if (/\p{Cc}/u.test(text)) throw new AppError('bad_request', `${field}: must be one line of text without control characters`);
  if (field === 'date' && text !== '' && !isIsoDate(text)) throw new AppError('bad_request', `date: expected a real date written YYYY-MM-DD, got "${text.slice(0, 40)}"`);
  if (field === 'source' && !isAcceptableSource(text)) throw new AppError('bad_request', 'source: an address must start with http:// or https://; other sources are written as plain text');
  return text;
}

/**
 * Parses metadata fields from an untrusted object. Unknown keys are refused.
 * @param options.keepEmpty keep empty values (an edit clears the field); otherwise they count as not given.
 * @throws AppError `bad_request` naming the bad field.
 */
export function parseMetaFields(value: unknown, options: { keepEmpty: boolean }): MetaFields {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new AppError('bad_request', 'metadata must be a JSON object');
  const fields: MetaFields = {};
  for (const [key, raw] of Object.entries(value)) {
    if (!isMetaField(key)) throw new AppError('bad_request', `unknown field "${key.slice(0, 40)}"; expected one of ${META_FIELDS.join(', ')}`);
    const text = checkMetaField(key, raw);
    if (text !== '' || options.keepEmpty) fields[key] = text;
  }
  return fields;
}

/** A title made from a file name: `idm_2019-closing-remarks.pdf` → `idm 2019 closing remarks`. */
export function titleFromFileName(fileName: string): string {
  const base = fileName.split(/[\\/]/).pop() ?? '';
  return base
    .replace(/\.[^.]*$/, '')
    .replace(/[\s_-]+/g, ' ')
    .replace(/\p{Cc}/gu, '')
    .trim()
    .slice(0, MAX_META_FIELD_CHARS);
}

/** What {@link settleSpeechMeta} decided: the values, and the required fields still without one. */
export interface SettledMeta {
  meta: SpeechMetaValues;
  missing: MetaField[];
}

/**
 * A new speech's metadata: explicit values win over what the text says (its header block or front matter);
 * without either, the title comes from the file name and the source is the file name.
 */
export function settleSpeechMeta(input: { explicit: MetaFields; detected: DetectedMeta & { source?: string }; fileName?: string }): SettledMeta {
  const { explicit, detected } = input;
  const fileName = input.fileName?.split(/[\\/]/).pop()?.replace(/\p{Cc}/gu, '').slice(0, MAX_META_FIELD_CHARS) ?? '';
  const fallback: MetaFields = { title: titleFromFileName(fileName), source: fileName };
  const meta: SpeechMetaValues = { title: '', speaker: '', role: '', event: '', date: '', place: '', source: '' };
  for (const field of META_FIELDS) {
    const found = detected[field]?.trim() ?? '';
    // A header block's source is untrusted text like any other field: an address of another scheme is not kept.
    const detectedValue = field === 'source' && !isAcceptableSource(found) ? '' : found;
    meta[field] = explicit[field] ?? (detectedValue !== '' ? detectedValue : (fallback[field] ?? ''));
  }
  // A detected date that is not a real one (a typo in a header block) is as good as none.
  if (!isIsoDate(meta.date)) meta.date = '';
  return { meta, missing: REQUIRED_FIELDS.filter((field) => meta[field] === '') };
}

/**
 * Throws when a required field is still missing.
 * @throws AppError `bad_request` naming every missing field and how to give it.
 */
export function requireComplete(settled: SettledMeta): SpeechMetaValues {
  if (settled.missing.length > 0) {
    const hints = settled.missing.map((field) => (field === 'date' ? 'date (YYYY-MM-DD)' : field)).join(' and ');
    throw new AppError('bad_request', `missing ${hints}: none was given and none was found in the text; give it explicitly`);
  }
  return settled.meta;
}

/**
 * Applies an edit to a speech's metadata. Title and date cannot be emptied.
 * @throws AppError `bad_request` for an empty edit or an emptied required field.
 */
export function applyMetaPatch(meta: SpeechMeta, patch: MetaFields): SpeechMeta {
  if (Object.keys(patch).length === 0) throw new AppError('bad_request', `nothing to change; send at least one of ${META_FIELDS.join(', ')}`);
  for (const field of REQUIRED_FIELDS) {
    if (patch[field] === '') throw new AppError('bad_request', `${field}: is required and cannot be empty`);
  }
  return { ...meta, ...patch };
}
