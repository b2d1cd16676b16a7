// Which files can be added as speeches, checked before uploading, and what the address field accepts: the server's
// source types and size limit (server/core/source-formats.ts), in words for people.

import { capitalise } from '../server/core/sentence-case.ts';
import {
  describeFormats,
  formatLabel,
  formatOfFileName,
  MAX_SPEECH_FILE_BYTES,
  parseWebAddress,
  SPEECH_FILE_ACCEPT,
  SPEECH_FORMATS,
  type SpeechFormat,
} from '../server/core/source-formats.ts';

export { SPEECH_FILE_ACCEPT } from '../server/core/source-formats.ts';

/** The size limit in words, e.g. "20 MB". */
const LIMIT_TEXT = `${MAX_SPEECH_FILE_BYTES / (1024 * 1024)} MB`;

/** The accepted kinds in words: "Plain text (.txt), Markdown (.md), PDF (.pdf), Word document (.docx) or web page (.html, .htm)". */
const KINDS_TEXT = capitalise(describeFormats());

/** What the file chooser accepts, in words. */
export const SPEECH_FILE_HINT = `${KINDS_TEXT}, up to ${LIMIT_TEXT}`;

/** What the address field accepts, in words. */
export const SPEECH_ADDRESS_HINT = `The address of a web page, PDF or Word document (http:// or https://), up to ${LIMIT_TEXT}; the server fetches it.`;

/** The lowercase extension of a file name, with its dot, or `''`. */
function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot <= 0 ? '' : name.slice(dot).toLowerCase();
}

/** A format's name for people, capitalised: "PDF", "Web page". */
export function formatKind(format: string): string | null {
  return (SPEECH_FORMATS as readonly string[]).includes(format) ? capitalise(formatLabel(format as SpeechFormat)) : null;
}

/** The kind of document a file is, e.g. "PDF", or null when it is not one we accept. */
export function speechFileKind(file: Pick<File, 'name'>): string | null {
  const format = formatOfFileName(file.name);
  return format === null ? null : capitalise(formatLabel(format));
}

/**
 * Says what is wrong with `file` as a speech, or returns null when it may be uploaded.
 * Judged by extension: browsers report no or varying MIME types for .md and .docx.
 */
export function speechFileProblem(file: Pick<File, 'name' | 'size'>): string | null {
  if (speechFileKind(file) === null) {
    const extension = extensionOf(file.name);
    const what = extension ? `“${extension}” files` : 'Files without an extension';
    return `${what} cannot be added. Choose a speech saved as ${describeFormats()}.`;
  }
  if (file.size === 0) return `“${file.name}” is empty.`;
  if (file.size > MAX_SPEECH_FILE_BYTES) {
    return `“${file.name}” is ${formatBytes(file.size)}; the largest file that can be added is ${LIMIT_TEXT}.`;
  }
  return null;
}

/** Says what is wrong with a typed web address, or returns null when it may be sent (the server checks the rest). */
export function speechAddressProblem(address: string): string | null {
  try {
    parseWebAddress(address);
    return null;
  } catch (error) {
    return `${(error as Error).message.replace(/^url: /, '').replace(/^./, (first) => first.toUpperCase())}.`;
  }
}

/** A file size for people: "850 KB", "3.4 MB". */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${Math.max(1, Math.round(bytes / 1024))} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}
