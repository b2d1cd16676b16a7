// Where a speech can come from, defined once: the formats of a speech file (plain text, Markdown, PDF, Word, web
// page) and a web address, each with its file extensions, media types, name for people and byte signature. The
// server's upload checks, the command line's help and folder scanning, and the chat window's file chooser derive
// from this table; each format's reader is in adapters/speech-extraction.ts, keyed by it. Pure: the client imports it.

import { AppError } from './errors.ts';
import { MAX_META_FIELD_CHARS } from './speech-meta.ts';

/** The largest speech file accepted, uploaded or fetched: 20 MB. */
export const MAX_SPEECH_FILE_BYTES = 20 * 1024 * 1024;

/** The longest web address accepted: it becomes the speech's `source`, a field of at most this many characters. */
export const MAX_WEB_ADDRESS_CHARS = MAX_META_FIELD_CHARS;

/** A format a speech file may be in. */
export interface FileSourceType {
  kind: 'file';
  /** What people call it, e.g. `Word document`. */
  label: string;
  /** File name endings, lowercase with the dot; the first is the usual one. */
  extensions: readonly string[];
  /** Media types (`Content-Type`) it is served as; the first is the usual one. */
  mediaTypes: readonly string[];
  /** True when a file's first bytes carry this format's signature; null for text, which has none. */
  sniff: ((head: Uint8Array) => boolean) | null;
}

/** A web address, whose document is fetched and then read as the file format it turns out to be. */
export interface AddressSourceType {
  kind: 'address';
  label: string;
  /** URL schemes accepted, with their colon. */
  schemes: readonly string[];
}

const startsWith = (bytes: Uint8Array, signature: readonly number[], at = 0): boolean => signature.every((b, i) => bytes[at + i] === b);

/** The spec lets a PDF's `%PDF-` header sit anywhere in its first 1024 bytes. */
const PDF_HEADER_WINDOW = 1024;
const PDF_HEADER = [0x25, 0x50, 0x44, 0x46, 0x2d];
/** A zip archive (a .docx is one), and an OLE compound file (Word 97–2003, or a password-protected .docx). */
export const ZIP_SIGNATURE = [0x50, 0x4b, 0x03, 0x04] as const;
export const OLE_SIGNATURE = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1] as const;

/** True when `%PDF-` starts within the first 1024 bytes. */
export function isPdfHead(head: Uint8Array): boolean {
  const end = Math.min(head.length, PDF_HEADER_WINDOW) - PDF_HEADER.length;
  for (let at = 0; at <= end; at += 1) if (startsWith(head, PDF_HEADER, at)) return true;
  return false;
}

const isWordHead = (head: Uint8Array): boolean => startsWith(head, ZIP_SIGNATURE) || startsWith(head, OLE_SIGNATURE);

/** How an HTML document opens, after white space and comments (as browsers sniff it). */
const HTML_OPENING = /^(?:\s|<!--[\s\S]*?-->)*<(?:!doctype\s+html|html|head|body|title|meta|script|div|p|h1|article)[\s>]/i;

function isHtmlHead(head: Uint8Array): boolean {
  const from = startsWith(head, [0xef, 0xbb, 0xbf]) ? 3 : 0;
  let text = '';
  for (const byte of head.subarray(from, 512)) text += String.fromCharCode(byte);
  return HTML_OPENING.test(text);
}

/** Every source a speech can be added from, in the order people are told about them. */
export const SOURCE_TYPES = {
  txt: { kind: 'file', label: 'plain text', extensions: ['.txt'], mediaTypes: ['text/plain'], sniff: null },
  md: { kind: 'file', label: 'Markdown', extensions: ['.md'], mediaTypes: ['text/markdown', 'text/x-markdown'], sniff: null },
  pdf: { kind: 'file', label: 'PDF', extensions: ['.pdf'], mediaTypes: ['application/pdf'], sniff: isPdfHead },
  docx: {
    kind: 'file',
    label: 'Word document',
    extensions: ['.docx'],
    mediaTypes: ['application/vnd.openxmlformats-officedocument.wordprocessingml.document'],
    sniff: isWordHead,
  },
  html: { kind: 'file', label: 'web page', extensions: ['.html', '.htm'], mediaTypes: ['text/html', 'application/xhtml+xml'], sniff: isHtmlHead },
  url: { kind: 'address', label: 'web address', schemes: ['http:', 'https:'] },
} as const satisfies Record<string, FileSourceType | AddressSourceType>;

type SourceTypes = typeof SOURCE_TYPES;

/** A format a speech file is read as, e.g. `pdf`: the file entries of {@link SOURCE_TYPES}. */
export type SpeechFormat = { [K in keyof SourceTypes]: SourceTypes[K]['kind'] extends 'file' ? K : never }[keyof SourceTypes];

/** The file formats, in table order. */
export const SPEECH_FORMATS = (Object.keys(SOURCE_TYPES) as Array<keyof SourceTypes>).filter(
  (key): key is SpeechFormat => SOURCE_TYPES[key].kind === 'file',
);

const fileType = (format: SpeechFormat): FileSourceType => SOURCE_TYPES[format];

/** Every accepted file name ending, lowercase with its dot. */
export const SUPPORTED_SPEECH_EXTENSIONS: readonly string[] = SPEECH_FORMATS.flatMap((format) => fileType(format).extensions);

/** What a file chooser accepts: every extension and media type. */
export const SPEECH_FILE_ACCEPT = SPEECH_FORMATS.flatMap((format) => [...fileType(format).extensions, ...fileType(format).mediaTypes]).join(',');

/** What people call a format, e.g. `Word document`. */
export const formatLabel = (format: SpeechFormat): string => fileType(format).label;

/** The formats in words: `plain text (.txt), Markdown (.md), PDF (.pdf), Word document (.docx) or web page (.html, .htm)`. */
export function describeFormats(): string {
  const items = SPEECH_FORMATS.map((format) => `${fileType(format).label} (${fileType(format).extensions.join(', ')})`);
  return `${items.slice(0, -1).join(', ')} or ${items[items.length - 1] ?? ''}`;
}

/** The format a file name's ending names (case-insensitive), or null when none does. */
export function formatOfFileName(fileName: string): SpeechFormat | null {
  const lower = fileName.toLowerCase();
  return SPEECH_FORMATS.find((format) => fileType(format).extensions.some((extension) => lower.endsWith(extension))) ?? null;
}

/** Media types that say nothing about the content: the bytes and the address decide. */
const GENERIC_MEDIA_TYPES = new Set(['', 'application/octet-stream', 'binary/octet-stream', 'application/binary', 'application/x-download', 'application/force-download']);

/** A `Content-Type` header's media type and charset, lowercase. */
export function parseContentType(header: string): { mediaType: string; charset: string | null } {
  const [type = '', ...params] = header.split(';');
  const charset = params.map((param) => /^\s*charset\s*=\s*"?([^";\s]+)"?\s*$/i.exec(param)?.[1]).find((value) => value !== undefined);
  return { mediaType: type.trim().toLowerCase(), charset: charset?.toLowerCase() ?? null };
}

/**
 * The format of a fetched document: a binary signature in its first bytes wins (servers mislabel PDFs), then the
 * media type it was served as, then, for a generic type, an HTML opening or the ending of the address's path.
 * @returns null when the document is of no supported format.
 */
export function formatOfDocument(document: { mediaType: string; head: Uint8Array; path: string }): SpeechFormat | null {
  const signed = SPEECH_FORMATS.find((format) => format !== 'html' && fileType(format).sniff?.(document.head) === true);
  if (signed !== undefined) return signed;
  const declared = SPEECH_FORMATS.find((format) => fileType(format).mediaTypes.includes(document.mediaType));
  if (declared !== undefined) return declared;
  if (!GENERIC_MEDIA_TYPES.has(document.mediaType)) return null;
  if (isHtmlHead(document.head)) return 'html';
  return formatOfFileName(document.path);
}

/** True when a command-line argument is written as an address (`scheme://…`) rather than a file name. */
export const looksLikeWebAddress = (text: string): boolean => /^[a-z][a-z0-9+.-]*:\/\//i.test(text.trim());

/**
 * Reads a web address a person gave: an absolute http or https address, without a user name or password.
 * @throws AppError `bad_request` saying what is wrong with it.
 */
export function parseWebAddress(text: string): URL {
  const trimmed = text.trim();
  if (trimmed === '') throw new AppError('bad_request', 'url: the web address is empty');
  if (trimmed.length > MAX_WEB_ADDRESS_CHARS) throw new AppError('bad_request', `url: the web address is longer than ${MAX_WEB_ADDRESS_CHARS} characters`);
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    throw new AppError('bad_request', `url: "${trimmed.slice(0, 80)}" is not a web address; write it whole, starting with https://`);
  }
  const schemes: readonly string[] = SOURCE_TYPES.url.schemes;
  if (!schemes.includes(url.protocol)) {
    throw new AppError('bad_request', `url: only http:// and https:// addresses can be read, not ${url.protocol}`);
  }
  if (url.username !== '' || url.password !== '') throw new AppError('bad_request', 'url: addresses with a user name or password are not accepted');
  url.hash = '';
  return url;
}
