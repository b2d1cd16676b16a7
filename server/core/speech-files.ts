// Which files can be added as speeches: the accepted extensions and the size limit, shared by the server and the
// browser client (which checks before uploading). Pure.

/** File extensions a speech may be added from (compared case-insensitively). */
export const SUPPORTED_SPEECH_EXTENSIONS = ['.txt', '.md', '.pdf', '.docx'] as const;

/** One accepted extension, with its dot. */
export type SpeechFileExtension = (typeof SUPPORTED_SPEECH_EXTENSIONS)[number];

/** The largest speech file accepted: 20 MB. */
export const MAX_SPEECH_FILE_BYTES = 20 * 1024 * 1024;
