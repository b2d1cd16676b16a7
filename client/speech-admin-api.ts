// Write requests to the speech API: adding a speech (or only reading it, as a dry run), with the admin token.

import { parseAddSpeechReply, type AddSpeechReply } from '../server/core/http-api.ts';
import { META_FIELDS, type SpeechMetaValues } from '../server/core/speech-meta.ts';
import { parsedJson, requestJson } from './api-request.ts';

/** Values of the metadata fields. */
export type MetaValues = SpeechMetaValues;

/** What {@link addSpeech} sends. */
export interface AddSpeechRequest {
  file: File;
  /**
   * Values that win over what is detected in the file. A dry run leaves empty ones out (they are still to be
   * detected); a save sends every field given, empty ones too, so a field the person emptied stays empty.
   */
  fields?: Partial<MetaValues>;
  /** The server's ADMIN_TOKEN, sent as a bearer token. */
  token: string;
  /** Only read the file and report what would be saved; nothing is written. */
  dryRun: boolean;
  signal?: AbortSignal;
}

/**
 * Uploads a speech file (`POST /api/speeches`, multipart), or checks it with `?dryRun=1`.
 * @throws ApiError with the server's code: `forbidden` (adding disabled), `unauthorized`, `duplicate`,
 *   `unsupported_type`, `too_large`, `unreadable`, `bad_request`, `busy`, or `network`.
 */
export async function addSpeech(request: AddSpeechRequest): Promise<AddSpeechReply> {
  const body = new FormData();
  // Fields go before the file so a streaming parser has them when the file arrives.
  for (const field of META_FIELDS) {
    const value = request.fields?.[field]?.trim();
    if (value === undefined || (value === '' && request.dryRun)) continue;
    body.append(field, value);
  }
  body.append('file', request.file, request.file.name);
  const headers: Record<string, string> = {};
  if (request.token.trim() !== '') headers.authorization = `Bearer ${request.token.trim()}`;
  const reply = await requestJson(request.dryRun ? '/api/speeches?dryRun=1' : '/api/speeches', {
    method: 'POST',
    body,
    headers,
    signal: request.signal,
  });
  return parsedJson(reply, parseAddSpeechReply);
}
