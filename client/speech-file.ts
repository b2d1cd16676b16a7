// Which files can be added as speeches: the accepted kinds and the size limit, checked before uploading.

/** The largest file the server accepts, in bytes (20 MB). */
export const MAX_SPEECH_FILE_BYTES = 20 * 1024 * 1024;

/** Accepted extensions with the kind of document each names. */
const KINDS: Readonly<Record<string, string>> = {
  '.txt': 'plain text',
  '.md': 'Markdown',
  '.pdf': 'PDF',
  '.docx': 'Word document',
};

/** The `accept` attribute of the file chooser. */
export const SPEECH_FILE_ACCEPT = [
  ...Object.keys(KINDS),
  'text/plain',
  'text/markdown',
  'application/pdf',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
].join(',');

/** What the file chooser accepts, in words. */
export const SPEECH_FILE_HINT = 'Plain text (.txt), Markdown (.md), PDF or Word (.docx), up to 20 MB';

/** The lowercase extension of a file name, with its dot, or `''`. */
function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot <= 0 ? '' : name.slice(dot).toLowerCase();
}

/** The kind of document a file is, e.g. "PDF", or null when it is not one we accept. */
export function speechFileKind(file: Pick<File, 'name'>): string | null {
  return KINDS[extensionOf(file.name)] ?? null;
}

/**
 * Says what is wrong with `file` as a speech, or returns null when it may be uploaded.
 * Judged by extension: browsers report no or varying MIME types for .md and .docx.
 */
export function speechFileProblem(file: Pick<File, 'name' | 'size'>): string | null {
  if (speechFileKind(file) === null) {
    const extension = extensionOf(file.name);
    const what = extension ? `“${extension}” files` : 'Files without an extension';
    return `${what} cannot be added. Choose a speech saved as ${SPEECH_FILE_HINT.replace(', up to 20 MB', '')}.`;
  }
  if (file.size === 0) return `“${file.name}” is empty.`;
  if (file.size > MAX_SPEECH_FILE_BYTES) {
    return `“${file.name}” is ${formatBytes(file.size)}; the largest file that can be added is 20 MB.`;
  }
  return null;
}

/** A file size for people: "850 KB", "3.4 MB". */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${Math.max(1, Math.round(bytes / 1024))} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}
