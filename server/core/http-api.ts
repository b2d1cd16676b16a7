// The JSON bodies of the HTTP API, defined once: the types the server sends and the parsers with which the
// browser client reads them (it trusts the network no more than the server trusts it). No I/O here.

import { AppError, type ErrorCode } from './errors.ts';
import type { DetectedMeta, UnreadableMeta } from './front-matter.ts';
import { isRecord } from './protocol.ts';
import { emptyMetaValues, isMetaField, META_FIELDS, type MetaField, type SpeechMeta } from './speech-meta.ts';
import type { RetrievalMode } from './types.ts';

/** `GET /api/health`. */
export interface HealthReply {
  status: 'ok';
  mode: RetrievalMode;
  /** The embedding model in use, or null in lexical mode. */
  model: string | null;
  speeches: number;
  paragraphs: number;
}

/** A speech in listings (`GET /api/speeches` is an array of them): its metadata and paragraph count. */
export interface SpeechSummary extends SpeechMeta {
  paragraphs: number;
}

/** One content paragraph as the API serves it. */
export interface ParagraphText {
  n: number;
  text: string;
}

/** `GET /api/speeches/:id`: the metadata and the content paragraphs in order. */
export interface SpeechDocument {
  meta: SpeechMeta;
  paragraphs: ParagraphText[];
}

/** `POST /api/speeches` (201), or with `?dryRun=1` (200, with `dryRun`, `missing` and `unreadable`). */
export interface AddSpeechReply {
  /** The speech as saved, or as it would be (`id` is `''` while the date is missing). */
  speech: SpeechSummary;
  /** What the text itself said: its header block or front matter. */
  detected: DetectedMeta;
  /** The format the file was read as, e.g. `pdf`. */
  format: string;
  dryRun?: true;
  /** Required fields neither found nor sent (dry run only; a save refuses instead). */
  missing?: MetaField[];
  /** Of the missing fields, those the text named in a line that could not be read, with the value as written. */
  unreadable?: UnreadableMeta;
}

/** `PATCH /api/speeches/:id`. */
export interface EditSpeechReply {
  speech: SpeechSummary;
}

/** Every failed request: the error's fixed code and a message for people. */
export interface ErrorReply {
  error: { code: ErrorCode; message: string };
}

const str = (value: unknown): string => (typeof value === 'string' ? value : '');
const malformed = (what: string): AppError => new AppError('bad_request', `the server sent ${what} in an unexpected shape`);

/** Reads speech metadata from an untrusted record; a missing or mistyped field reads as `''`. */
export function parseSpeechMeta(value: unknown): SpeechMeta {
  const record = isRecord(value) ? value : {};
  const meta: SpeechMeta = { id: str(record.id), ...emptyMetaValues() };
  for (const field of META_FIELDS) meta[field] = str(record[field]);
  return meta;
}

/** Reads a listed speech; a missing count reads as 0. */
export function parseSpeechSummary(value: unknown): SpeechSummary {
  const paragraphs = isRecord(value) ? Number(value.paragraphs) : NaN;
  return { ...parseSpeechMeta(value), paragraphs: Number.isInteger(paragraphs) && paragraphs >= 0 ? paragraphs : 0 };
}

/** Reads `GET /api/speeches`; entries without an id are dropped. @throws AppError `bad_request` when it is not a list. */
export function parseSpeechList(value: unknown): SpeechSummary[] {
  if (!Array.isArray(value)) throw malformed('the list of speeches');
  return value.filter(isRecord).map(parseSpeechSummary).filter((speech) => speech.id !== '');
}

/** Reads `GET /api/speeches/:id`; paragraphs without a number are dropped. @throws AppError `bad_request`. */
export function parseSpeechDocument(value: unknown): SpeechDocument {
  if (!isRecord(value) || !isRecord(value.meta) || !Array.isArray(value.paragraphs)) throw malformed('a speech');
  const paragraphs = value.paragraphs
    .filter(isRecord)
    .map((paragraph) => ({ n: Number(paragraph.n), text: str(paragraph.text) }))
    .filter((paragraph) => Number.isInteger(paragraph.n));
  return { meta: parseSpeechMeta(value.meta), paragraphs };
}

/** Reads a record of metadata fields, keeping non-empty string values of known fields. */
function parseFieldValues(value: unknown): Partial<Record<MetaField, string>> {
  const fields: Partial<Record<MetaField, string>> = {};
  if (!isRecord(value)) return fields;
  for (const [key, raw] of Object.entries(value)) if (isMetaField(key) && str(raw) !== '') fields[key] = str(raw);
  return fields;
}

/** Reads the reply of `POST /api/speeches`. @throws AppError `bad_request` when it holds no speech. */
export function parseAddSpeechReply(value: unknown): AddSpeechReply {
  if (!isRecord(value) || !isRecord(value.speech)) throw malformed('the added speech');
  const missing = Array.isArray(value.missing) ? META_FIELDS.filter((field) => (value.missing as unknown[]).includes(field)) : [];
  return {
    speech: parseSpeechSummary(value.speech),
    detected: parseFieldValues(value.detected),
    format: str(value.format),
    ...(value.dryRun === true ? { dryRun: true } : {}),
    missing,
    unreadable: parseFieldValues(value.unreadable),
  };
}

/** Reads an error body; null when it is not one. The code is kept as the server wrote it (`''` when missing). */
export function parseErrorReply(value: unknown): { code: string; message: string } | null {
  if (!isRecord(value) || !isRecord(value.error)) return null;
  return { code: str(value.error.code), message: str(value.error.message) };
}
