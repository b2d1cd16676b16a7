// Which files can be added as speeches, checked before uploading: the server's accepted kinds and size limit,
// in words for people.

import { MAX_SPEECH_FILE_BYTES, SUPPORTED_SPEECH_EXTENSIONS, type SpeechFileExtension } from '../server/core/speech-files.ts';

/** The size limit in words, e.g. "20 MB". */
const LIMIT_TEXT = `${MAX_SPEECH_FILE_BYTES / (1024 * 1024)} MB`;

/** The kind of document each accepted extension names (the type makes a new server extension a compile error here). */
const KIND_NAMES: Readonly<Record<SpeechFileExtension, string>> = {
  '.txt': 'plain text',
  '.md': 'Markdown',
  '.pdf': 'PDF',
  '.docx': 'Word document',
};

const isSupported = (extension: string): extension is SpeechFileExtension => (SUPPORTED_SPEECH_EXTENSIONS as readonly string[]).includes(extension);

/** The `accept` attribute of the file chooser. */
export const SPEECH_FILE_ACCEPT = [
  ...SUPPORTED_SPEECH_EXTENSIONS,
  'text/plain',
  'text/markdown',
  'application/pdf',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
].join(',');

/** What the file chooser accepts, in words. */
export const SPEECH_FILE_HINT = `Plain text (.txt), Markdown (.md), PDF or Word (.docx), up to ${LIMIT_TEXT}`;

/** The lowercase extension of a file name, with its dot, or `''`. */
function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot <= 0 ? '' : name.slice(dot).toLowerCase();
}

/** The kind of document a file is, e.g. "PDF", or null when it is not one we accept. */
export function speechFileKind(file: Pick<File, 'name'>): string | null {
  const extension = extensionOf(file.name);
  return isSupported(extension) ? KIND_NAMES[extension] : null;
}

/**
 * Says what is wrong with `file` as a speech, or returns null when it may be uploaded.
 * Judged by extension: browsers report no or varying MIME types for .md and .docx.
 */
export function speechFileProblem(file: Pick<File, 'name' | 'size'>): string | null {
  if (speechFileKind(file) === null) {
    const extension = extensionOf(file.name);
    const what = extension ? `“${extension}” files` : 'Files without an extension';
    return `${what} cannot be added. Choose a speech saved as ${SPEECH_FILE_HINT.replace(`, up to ${LIMIT_TEXT}`, '')}.`;
  }
  if (file.size === 0) return `“${file.name}” is empty.`;
  if (file.size > MAX_SPEECH_FILE_BYTES) {
    return `“${file.name}” is ${formatBytes(file.size)}; the largest file that can be added is ${LIMIT_TEXT}.`;
  }
  return null;
}

/** A file size for people: "850 KB", "3.4 MB". */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${Math.max(1, Math.round(bytes / 1024))} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}
