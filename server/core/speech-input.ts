// Metadata a person sends (command-line flags, form fields, JSON): checking it, and settling a new speech's
// metadata from explicit values, what the text itself says, and the file name. Pure; the fields and their rules
// come from the table in speech-meta.ts.

import { AppError } from './errors.ts';
import { placeAtEndOf, type DetectedMeta, type UnreadableMeta } from './front-matter.ts';
import {
  checkMetaField,
  cleanMetaValue,
  emptyMetaValues,
  isAcceptableSource,
  isIsoDate,
  isMetaField,
  META_FIELDS,
  REQUIRED_META_FIELDS,
  SPEECH_FIELDS,
  type MetaField,
  type MetaFields,
  type SpeechMeta,
  type SpeechMetaValues,
} from './speech-meta.ts';

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
  return cleanMetaValue(base.replace(/\.[^.]*$/, '').replace(/[\s_-]+/g, ' '));
}

/** What {@link settleSpeechMeta} decided: the values, the required fields still without one, and why. */
export interface SettledMeta {
  meta: SpeechMetaValues;
  missing: MetaField[];
  /** Lines of the text that named a field but whose value could not be read (e.g. `Date: not given on page`). */
  unreadable: UnreadableMeta;
}

/** The last part of an address's path, as words for a title of last resort: `…/opening-remarks-2019` → `opening remarks 2019`. */
function titleFromAddress(address: string): string {
  let pathname = '';
  try {
    pathname = new URL(address).pathname;
  } catch {
    return '';
  }
  const segment = pathname.replace(/\/+$/, '').split('/').pop() ?? '';
  try {
    return titleFromFileName(decodeURIComponent(segment));
  } catch {
    return titleFromFileName(segment);
  }
}

/**
 * A new speech's metadata: explicit values win over what the text says (its header block or front matter);
 * without either, the title comes from the file name and the source is the file name. A speech fetched from a
 * web address has that address as its source unless one is given explicitly (and the address's last part as the
 * title of last resort). A place named at the end of the event fills the place when none is given.
 */
export function settleSpeechMeta(input: {
  explicit: MetaFields;
  detected: DetectedMeta;
  unreadable?: UnreadableMeta;
  fileName?: string;
  /** The web address the text was fetched from. */
  address?: string | null;
}): SettledMeta {
  const { detected } = input;
  const address = input.address ?? null;
  const explicit: MetaFields = address === null ? input.explicit : { source: address, ...input.explicit };
  const fileName = cleanMetaValue(input.fileName?.split(/[\\/]/).pop() ?? '');
  const fallback: MetaFields = { title: address === null ? titleFromFileName(fileName) : titleFromAddress(address), source: fileName };
  const meta = emptyMetaValues();
  for (const field of META_FIELDS) {
    const found = cleanMetaValue(detected[field] ?? '');
    // A header block's source is untrusted text like any other field: an address of another scheme is not kept.
    const detectedValue = field === 'source' && !isAcceptableSource(found) ? '' : found;
    meta[field] = explicit[field] ?? (detectedValue !== '' ? detectedValue : (fallback[field] ?? ''));
  }
  // A detected date that is not a real one (a typo in a header block) is as good as none.
  if (!isIsoDate(meta.date)) meta.date = '';
  if (meta.place === '' && input.explicit.place === undefined) meta.place = placeAtEndOf(meta.event) ?? '';
  const unreadable: UnreadableMeta = {};
  for (const [field, value] of Object.entries(input.unreadable ?? {}) as Array<[MetaField, string]>) {
    if (meta[field] === '') unreadable[field] = value;
  }
  return { meta, missing: REQUIRED_META_FIELDS.filter((field) => meta[field] === ''), unreadable };
}

/** Why a required field is missing, in words, with how to give it. */
function missingReason(field: MetaField, settled: SettledMeta): string {
  const rule = SPEECH_FIELDS[field];
  const name = rule.kind === 'date' ? `${field} (YYYY-MM-DD)` : field;
  const written = settled.unreadable[field];
  const why =
    written === undefined
      ? 'none was given and none was found in the text'
      : `the text's "${rule.label}:" line reads "${written.slice(0, 60)}", which is not a date that can be read`;
  return `${name}: ${why}`;
}

/**
 * Throws when a required field is still missing.
 * @throws AppError `bad_request` naming every missing field, why, and how to give it.
 */
export function requireComplete(settled: SettledMeta): SpeechMetaValues {
  if (settled.missing.length > 0) {
    const reasons = settled.missing.map((field) => missingReason(field, settled)).join('; ');
    throw new AppError('bad_request', `missing ${reasons}; give it explicitly`);
  }
  return settled.meta;
}

/**
 * Applies an edit to a speech's metadata. Required fields cannot be emptied.
 * @throws AppError `bad_request` for an empty edit or an emptied required field.
 */
export function applyMetaPatch(meta: SpeechMeta, patch: MetaFields): SpeechMeta {
  if (Object.keys(patch).length === 0) throw new AppError('bad_request', `nothing to change; send at least one of ${META_FIELDS.join(', ')}`);
  for (const field of REQUIRED_META_FIELDS) {
    if (patch[field] === '') throw new AppError('bad_request', `${field}: is required and cannot be empty`);
  }
  return { ...meta, ...patch };
}
