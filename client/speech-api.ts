// Reads speeches from the API: the list (`GET /api/speeches`) and one speech with its paragraphs
// (`GET /api/speeches/:id`, cached per page). Bodies are read by the API's own parsers (server/core/http-api.ts).

import { parseSpeechDocument, parseSpeechList, type SpeechDocument, type SpeechSummary } from '../server/core/http-api.ts';
import { parsedJson, requestJson } from './api-request.ts';

export type { SpeechDocument, SpeechSummary } from '../server/core/http-api.ts';

const cache = new Map<string, Promise<SpeechDocument>>();

/**
 * Loads speech `id`; concurrent and repeated calls share one request. Failures are not cached, so a retry refetches.
 * @throws ApiError on HTTP errors or a malformed body.
 */
export function fetchSpeech(id: string): Promise<SpeechDocument> {
  const cached = cache.get(id);
  if (cached) return cached;
  const request = requestJson(`/api/speeches/${encodeURIComponent(id)}`).then((body) => parsedJson(body, parseSpeechDocument));
  cache.set(id, request);
  request.catch(() => cache.delete(id));
  return request;
}

/**
 * Lists every speech, never cached: the corpus changes while the page is open.
 * @throws ApiError on HTTP errors or a malformed body.
 */
export async function fetchSpeechList(): Promise<SpeechSummary[]> {
  return parsedJson(await requestJson('/api/speeches'), parseSpeechList);
}

/** Forgets every cached speech: after the corpus changed, metadata may have been edited. */
export function forgetCachedSpeeches(): void {
  cache.clear();
}
