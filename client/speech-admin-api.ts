// Write requests to the speech API: adding a speech (or only reading it, as a dry run), with the admin token.

import { META_FIELDS, type MetaField } from '../server/core/speech-meta.ts';
import { ApiError, isRecord, requestJson, str } from './api-request.ts';
import { toSpeechSummary, type SpeechSummary } from './speech-api.ts';

/** Values of the metadata fields. */
export type MetaValues = Record<MetaField, string>;

/** What the server made of an uploaded file. */
export interface AddSpeechResult {
  /** The speech as saved (or, for a dry run, as it would be saved), with its paragraph count. */
  speech: SpeechSummary;
  /** The metadata found in the file itself, before any value sent with the request. */
  detected: Partial<MetaValues>;
  /** Required fields neither found in the file nor sent (a dry run reports them; a save refuses instead). */
  missing: MetaField[];
}

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
export async function addSpeech(request: AddSpeechRequest): Promise<AddSpeechResult> {
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
  if (!isRecord(reply) || !isRecord(reply.speech)) {
    throw new ApiError('bad_response', 'The server replied in an unexpected shape.', 200);
  }
  const detected: Partial<MetaValues> = {};
  if (isRecord(reply.detected)) {
    for (const field of META_FIELDS) {
      const value = str(reply.detected[field]);
      if (value !== '') detected[field] = value;
    }
  }
  const missing = Array.isArray(reply.missing) ? META_FIELDS.filter((field) => (reply.missing as unknown[]).includes(field)) : [];
  return { speech: toSpeechSummary(reply.speech), detected, missing };
}
