// What a new speech is added from: an uploaded file, text sent as is, or a web address. Each becomes a file to read
// in the extraction sandbox; an address is fetched first (adapters/web-fetch.ts) and read as the format its
// document turns out to be (core/source-formats.ts).

import type { SpeechFile } from './adapters/speech-extraction.ts';
import { fetchWebDocument, type HostResolver, type WebFetchLimits } from './adapters/web-fetch.ts';
import { AppError } from './core/errors.ts';
import { describeFormats, formatOfDocument } from './core/source-formats.ts';
import { MAX_META_FIELD_CHARS } from './core/speech-meta.ts';

/** The text of a new speech: an uploaded file, text sent as is, or the address of a web page, PDF or Word document. */
export type SpeechSource = { fileName: string; bytes: Uint8Array } | { text: string; fileName?: string } | { url: string };

/** A source ready to be read. */
export interface OpenedSource {
  file: SpeechFile;
  /** The file name or address the person gave, for messages and the title of last resort. */
  displayName: string;
  /** For a web address: the address the document came from, to be the speech's `source`; otherwise null. */
  address: string | null;
}

/** Where fetching an address may go and what it may cost; `resolve` stands in for DNS in tests. */
export interface SourceFetching {
  limits: WebFetchLimits;
  resolve?: HostResolver;
}

/** How many bytes of a document its format is told from. */
const SNIFF_BYTES = 1024;

/** Fetches an address and tells its document's format. @throws AppError as fetchWebDocument, `unsupported_type`. */
async function openAddress(address: string, fetching: SourceFetching, signal: AbortSignal | undefined): Promise<OpenedSource> {
  const fetched = await fetchWebDocument(address, fetching.limits, { signal, resolve: fetching.resolve });
  const format = formatOfDocument({ mediaType: fetched.mediaType, head: fetched.bytes.subarray(0, SNIFF_BYTES), path: new URL(fetched.address).pathname });
  if (format === null) {
    const served = fetched.mediaType === '' ? 'a document of no stated type' : `"${fetched.mediaType.slice(0, 80)}"`;
    throw new AppError('unsupported_type', `${fetched.address}: the address serves ${served}, not a speech; it must lead to a ${describeFormats()}`);
  }
  // The address the text came from, unless a long redirect chain made it too long for a field: then the one given.
  const source = fetched.address.length <= MAX_META_FIELD_CHARS ? fetched.address : address.trim();
  return { file: { fileName: fetched.address, bytes: fetched.bytes, format, charset: fetched.charset }, displayName: address.trim(), address: source };
}

/**
 * Opens a source: a file as it is; text as a `.txt` file (or `.md`, by its name), through the same checks; an
 * address fetched.
 * @throws AppError from fetching an address (`bad_request`, `address_not_allowed`, `fetch_failed`, `too_large`,
 *   `busy`), `unsupported_type` for a document of no supported format.
 */
export async function openSpeechSource(source: SpeechSource, fetching: SourceFetching, options: { signal?: AbortSignal } = {}): Promise<OpenedSource> {
  if ('url' in source) return openAddress(source.url, fetching, options.signal);
  if ('bytes' in source) return { file: { fileName: source.fileName, bytes: source.bytes }, displayName: source.fileName, address: null };
  const fileName = source.fileName ?? '';
  return {
    file: { fileName: /\.(txt|md)$/i.test(fileName) ? fileName : 'text.txt', bytes: Buffer.from(source.text, 'utf8') },
    displayName: fileName,
    address: null,
  };
}
