// Turns a speech file (any format of core/source-formats.ts: text, Markdown, PDF, Word, web page) into its plain
// text, checking that its name, size and content agree; the text then goes to the paragraph splitter unchanged.

import { DEFAULT_CONFIG } from '../config.ts';
import { AppError } from '../core/errors.ts';
import {
  describeFormats,
  formatOfFileName,
  isPdfHead,
  MAX_SPEECH_FILE_BYTES,
  OLE_SIGNATURE,
  ZIP_SIGNATURE,
  type SpeechFormat,
} from '../core/source-formats.ts';
import { extractDocxText } from './docx-text.ts';
import { extractHtmlText } from './html-text.ts';
import { extractPdfText } from './pdf-text.ts';

export type { SpeechFormat } from '../core/source-formats.ts';

/** A speech file: its name (or the address it was fetched from) and its bytes. */
export interface SpeechFile {
  fileName: string;
  bytes: Uint8Array;
  /** The format to read it as, when known otherwise than by its name (a fetched document); else its extension's. */
  format?: SpeechFormat;
  /** The charset it was served with, if any (web pages). */
  charset?: string | null;
}

/** The text of a speech file and the format it was read as. */
export interface ExtractedSpeech {
  text: string;
  format: SpeechFormat;
}

/** The bounds of reading a file's content (`MAX_PDF_PAGES`, `MAX_INFLATED_MB`). */
export interface ContentBounds {
  /** PDFs with more pages are refused before any page is read. */
  maxPdfPages: number;
  /** A Word document may inflate to at most this many bytes (checked before and while inflating). */
  maxInflatedBytes: number;
}

/** Signatures of binary files that are sometimes renamed to .txt/.md by mistake. */
const BINARY_SIGNATURES: readonly { bytes: readonly number[]; what: string }[] = [
  { bytes: [0x25, 0x50, 0x44, 0x46, 0x2d], what: 'a PDF' },
  { bytes: ZIP_SIGNATURE, what: 'a zip archive or Word document' },
  { bytes: OLE_SIGNATURE.slice(0, 4), what: 'an Office document' },
];
/** How far to look for NUL bytes, which no text file has. */
const BINARY_SNIFF_BYTES = 8192;

const startsWith = (bytes: Uint8Array, signature: readonly number[]): boolean =>
  signature.every((b, i) => bytes[i] === b);

/**
 * The file's base name, or a web address whole, quoted, for messages; path parts a browser or shell may add to a
 * file name are dropped.
 */
function displayName(fileName: string): string {
  const base = /^https?:\/\//i.test(fileName) ? fileName : (fileName.split(/[\\/]/).pop() ?? '');
  return JSON.stringify(base.length > 120 ? `${base.slice(0, 117)}...` : base);
}

function formatOf(fileName: string, name: string): SpeechFormat {
  const format = formatOfFileName(fileName);
  if (format === null) throw new AppError('unsupported_type', `${name}: this type of file is not supported; add a speech as ${describeFormats()}`);
  return format;
}

/** Decodes a .txt/.md file as UTF-8 (dropping a byte-order mark), refusing binary content and other encodings. */
function decodeText(bytes: Uint8Array, name: string): string {
  const binary = BINARY_SIGNATURES.find((sig) => startsWith(bytes, sig.bytes));
  if (binary) throw new AppError('unsupported_type', `${name}: the file is ${binary.what}, not plain text`);
  if (startsWith(bytes, [0xff, 0xfe]) || startsWith(bytes, [0xfe, 0xff])) {
    throw new AppError('unreadable', `${name}: the text is UTF-16 encoded; save it as UTF-8 and try again`);
  }
  if (bytes.subarray(0, BINARY_SNIFF_BYTES).includes(0)) {
    throw new AppError('unsupported_type', `${name}: the file is binary data, not plain text`);
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (error) {
    throw new AppError('unreadable', `${name}: the text is not UTF-8 encoded; save it as UTF-8 and try again`, { cause: error });
  }
}

/** Reads the text of one format, checking that the content is of that format; `name` is for messages. */
type FormatReader = (file: SpeechFile, name: string, bounds: ContentBounds) => Promise<string>;

/** Returns `text`, or refuses it as `unreadable` with `message` when it holds no text at all. */
function nonEmpty(text: string, message: string): string {
  if (!text.trim()) throw new AppError('unreadable', message);
  return text;
}

async function readPdf({ bytes }: SpeechFile, name: string, bounds: ContentBounds): Promise<string> {
  if (!isPdfHead(bytes)) throw new AppError('unsupported_type', `${name}: the file is not a PDF`);
  const text = await extractPdfText(bytes, { name, maxPages: bounds.maxPdfPages });
  return nonEmpty(text, `${name}: the PDF has no text layer (it may be a scanned image); add a text version instead`);
}

async function readDocx({ bytes }: SpeechFile, name: string, bounds: ContentBounds): Promise<string> {
  if (startsWith(bytes, OLE_SIGNATURE)) {
    throw new AppError('unreadable', `${name}: the document is password-protected or in the old Word 97–2003 format; save it as an unprotected .docx and try again`);
  }
  if (!startsWith(bytes, ZIP_SIGNATURE)) throw new AppError('unsupported_type', `${name}: the file is not a Word .docx document`);
  const text = await extractDocxText(bytes, { name, maxInflatedBytes: bounds.maxInflatedBytes });
  return nonEmpty(text, `${name}: the Word document contains no text`);
}

const readText: FormatReader = async ({ bytes }, name) => nonEmpty(decodeText(bytes, name), `${name}: the file contains no text`);

async function readHtml({ bytes, charset }: SpeechFile, name: string): Promise<string> {
  const binary = BINARY_SIGNATURES.find((sig) => startsWith(bytes, sig.bytes));
  if (binary) throw new AppError('unsupported_type', `${name}: the file is ${binary.what}, not a web page`);
  return extractHtmlText(bytes, { name, charset });
}

/**
 * The reader of each format of core/source-formats.ts. A new format is one entry there and its reader here (the
 * type makes a missing one a compile error); it then runs in the extraction sandbox like the others.
 */
const READERS: Readonly<Record<SpeechFormat, FormatReader>> = { txt: readText, md: readText, pdf: readPdf, docx: readDocx, html: readHtml };

/**
 * Extracts the plain text of a speech file. PDF pages are separated by '\f' so the splitter can find page
 * headers/footers and breaks; PDF, DOCX and web page paragraphs are separated by a blank line (a web page's
 * metadata heads its text as a header block, see html-text.ts); text files are returned as decoded (line ends
 * untouched).
 * @throws AppError `unsupported_type` when the extension is not supported or the content does not match it,
 *   `too_large` over {@link MAX_SPEECH_FILE_BYTES} or past `bounds` (a PDF of too many pages, a Word document that
 *   inflates too much), `unreadable` for a password-protected or damaged file, text that is not UTF-8, or a file
 *   with no text (e.g. a scanned PDF without a text layer). Run it in the extraction sandbox, which also bounds the
 *   memory and time a file may take.
 */
export async function extractSpeechText(input: SpeechFile, bounds: ContentBounds = DEFAULT_CONFIG.extraction): Promise<ExtractedSpeech> {
  const name = displayName(input.fileName);
  const format = input.format ?? formatOf(input.fileName, name);
  const { bytes } = input;
  if (bytes.byteLength > MAX_SPEECH_FILE_BYTES) {
    throw new AppError('too_large', `${name}: the file is larger than ${MAX_SPEECH_FILE_BYTES / 1024 / 1024} MB`);
  }
  if (bytes.byteLength === 0) throw new AppError('unreadable', `${name}: the file is empty`);
  if (!Object.hasOwn(READERS, format)) throw new AppError('unsupported_type', `${name}: "${String(format)}" is not a format a speech is read as`);

  const text = await READERS[format](input, name, bounds);
  return { text, format };
}
