// Turns an uploaded speech file (.txt, .md, .pdf, .docx) into its plain text, checking that its name, size and
// content agree; the text then goes to the paragraph splitter unchanged.

import { DEFAULT_CONFIG } from '../config.ts';
import { AppError } from '../core/errors.ts';
import { MAX_SPEECH_FILE_BYTES, SUPPORTED_SPEECH_EXTENSIONS } from '../core/speech-files.ts';
import { extractDocxText } from './docx-text.ts';
import { extractPdfText } from './pdf-text.ts';

/** The format a speech file was read as. */
export type SpeechFormat = 'txt' | 'md' | 'pdf' | 'docx';

/** An uploaded file: its name (only the extension matters) and its bytes. */
export interface SpeechFile {
  fileName: string;
  bytes: Uint8Array;
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
  { bytes: [0x50, 0x4b, 0x03, 0x04], what: 'a zip archive or Word document' },
  { bytes: [0xd0, 0xcf, 0x11, 0xe0], what: 'an Office document' },
];
const OLE_SIGNATURE = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1];
const ZIP_SIGNATURE = [0x50, 0x4b, 0x03, 0x04];
/** The spec lets a PDF's `%PDF-` header sit anywhere in its first 1024 bytes. */
const PDF_HEADER_WINDOW = 1024;
/** How far to look for NUL bytes, which no text file has. */
const BINARY_SNIFF_BYTES = 8192;

const startsWith = (bytes: Uint8Array, signature: readonly number[]): boolean =>
  signature.every((b, i) => bytes[i] === b);

/** The file's base name, quoted, for messages; path parts a browser or shell may add are dropped. */
function displayName(fileName: string): string {
  const base = fileName.split(/[\\/]/).pop() ?? '';
  return JSON.stringify(base.length > 120 ? `${base.slice(0, 117)}...` : base);
}

function formatOf(fileName: string, name: string): SpeechFormat {
  const lower = fileName.toLowerCase();
  const extension = SUPPORTED_SPEECH_EXTENSIONS.find((ext) => lower.endsWith(ext));
  if (extension === undefined) {
    throw new AppError(
      'unsupported_type',
      `${name}: this type of file is not supported; add a speech as ${SUPPORTED_SPEECH_EXTENSIONS.join(', ')}`,
    );
  }
  return extension.slice(1) as SpeechFormat;
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
type FormatReader = (bytes: Uint8Array, name: string, bounds: ContentBounds) => Promise<string>;

/** Returns `text`, or refuses it as `unreadable` with `message` when it holds no text at all. */
function nonEmpty(text: string, message: string): string {
  if (!text.trim()) throw new AppError('unreadable', message);
  return text;
}

async function readPdf(bytes: Uint8Array, name: string, bounds: ContentBounds): Promise<string> {
  const header = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.byteLength, PDF_HEADER_WINDOW));
  if (!header.includes('%PDF-')) throw new AppError('unsupported_type', `${name}: the file is not a PDF`);
  const text = await extractPdfText(bytes, { name, maxPages: bounds.maxPdfPages });
  return nonEmpty(text, `${name}: the PDF has no text layer (it may be a scanned image); add a text version instead`);
}

async function readDocx(bytes: Uint8Array, name: string, bounds: ContentBounds): Promise<string> {
  if (startsWith(bytes, OLE_SIGNATURE)) {
    throw new AppError('unreadable', `${name}: the document is password-protected or in the old Word 97–2003 format; save it as an unprotected .docx and try again`);
  }
  if (!startsWith(bytes, ZIP_SIGNATURE)) throw new AppError('unsupported_type', `${name}: the file is not a Word .docx document`);
  const text = await extractDocxText(bytes, { name, maxInflatedBytes: bounds.maxInflatedBytes });
  return nonEmpty(text, `${name}: the Word document contains no text`);
}

const readText: FormatReader = async (bytes, name) => nonEmpty(decodeText(bytes, name), `${name}: the file contains no text`);

/**
 * The reader of each format. A new format (HTML, once speeches can be added by address) is one more entry here and
 * one more extension in core/speech-files.ts; it then runs in the extraction sandbox like the others.
 */
const READERS: Readonly<Record<SpeechFormat, FormatReader>> = { txt: readText, md: readText, pdf: readPdf, docx: readDocx };

/**
 * Extracts the plain text of a speech file. PDF pages are separated by '\f' so the splitter can find page
 * headers/footers and breaks; PDF and DOCX paragraphs are separated by a blank line; text files are returned
 * as decoded (line ends untouched).
 * @throws AppError `unsupported_type` when the extension is not supported or the content does not match it,
 *   `too_large` over {@link MAX_SPEECH_FILE_BYTES} or past `bounds` (a PDF of too many pages, a Word document that
 *   inflates too much), `unreadable` for a password-protected or damaged file, text that is not UTF-8, or a file
 *   with no text (e.g. a scanned PDF without a text layer). Run it in the extraction sandbox, which also bounds the
 *   memory and time a file may take.
 */
export async function extractSpeechText(input: SpeechFile, bounds: ContentBounds = DEFAULT_CONFIG.extraction): Promise<ExtractedSpeech> {
  const name = displayName(input.fileName);
  const format = formatOf(input.fileName, name);
  const { bytes } = input;
  if (bytes.byteLength > MAX_SPEECH_FILE_BYTES) {
    throw new AppError('too_large', `${name}: the file is larger than ${MAX_SPEECH_FILE_BYTES / 1024 / 1024} MB`);
  }
  if (bytes.byteLength === 0) throw new AppError('unreadable', `${name}: the file is empty`);

  const text = await READERS[format](bytes, name, bounds);
  return { text, format };
}
