// Write requests to the speech API: adding a speech from a file or a web address (or only reading it, as a dry
// run), with the admin token.

import { parseAddSpeechReply, type AddSpeechReply } from '../server/core/http-api.ts';
import { META_FIELDS, type SpeechMetaValues } from '../server/core/speech-meta.ts';
import { parsedJson, requestJson } from './api-request.ts';

/** Values of the metadata fields. */
export type MetaValues = SpeechMetaValues;

/** Where a speech comes from: a file the person chose, or a web address the server fetches. */
export type SpeechOrigin = { file: File } | { url: string };

/** What {@link addSpeech} sends. */
export interface AddSpeechRequest {
  origin: SpeechOrigin;
  /**
   * Values that win over what is detected in the speech. A dry run leaves empty ones out (they are still to be
   * detected); a save sends every field given, empty ones too, so a field the person emptied stays empty.
   */
  fields?: Partial<MetaValues>;
  /** The server's ADMIN_TOKEN, sent as a bearer token. */
  token: string;
  /** Only read the speech and report what would be saved; nothing is written. */
  dryRun: boolean;
  signal?: AbortSignal;
}

/** The fields to send: every given one on a save, only non-empty ones on a dry run. */
function sentFields(request: AddSpeechRequest): Array<[string, string]> {
  const sent: Array<[string, string]> = [];
  for (const field of META_FIELDS) {
    const value = request.fields?.[field]?.trim();
    if (value === undefined || (value === '' && request.dryRun)) continue;
    sent.push([field, value]);
  }
  return sent;
}

/**
 * Adds a speech (`POST /api/speeches`): a file as multipart, an address as JSON `{url, …}`; or checks it with
 * `?dryRun=1`.
 * @throws ApiError with the server's code: `forbidden` (adding disabled), `unauthorized`, `duplicate`,
 *   `unsupported_type`, `too_large`, `unreadable`, `bad_request`, `address_not_allowed`, `fetch_failed`, `busy`,
 *   or `network`.
 */
export async function addSpeech(request: AddSpeechRequest): Promise<AddSpeechReply> {
  const headers: Record<string, string> = {};
  if (request.token.trim() !== '') headers.authorization = `Bearer ${request.token.trim()}`;
  let body: FormData | string;
  if ('url' in request.origin) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify({ url: request.origin.url, ...Object.fromEntries(sentFields(request)) });
  } else {
    body = new FormData();
    // Fields go before the file so a streaming parser has them when the file arrives.
    for (const [field, value] of sentFields(request)) body.append(field, value);
    body.append('file', request.origin.file, request.origin.file.name);
  }
  const reply = await requestJson(request.dryRun ? '/api/speeches?dryRun=1' : '/api/speeches', { method: 'POST', body, headers, signal: request.signal });
  return parsedJson(reply, parseAddSpeechReply);
}
