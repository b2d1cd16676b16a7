// Reads speeches from the API: the list (`GET /api/speeches`) and one speech with its paragraphs
// (`GET /api/speeches/:id`, validated and cached per page).

import type { SpeechMeta } from '../server/core/types.ts';
import { ApiError, isRecord, requestJson, str } from './api-request.ts';

/** Speech metadata as served by the API: the server's own type. */
export type SpeechInfo = SpeechMeta;

/** A speech in the list: its metadata and paragraph count. */
export interface SpeechSummary extends SpeechInfo {
  paragraphs: number;
}

/** A speech with its numbered paragraphs. */
export interface SpeechDocument {
  meta: SpeechInfo;
  paragraphs: Array<{ n: number; text: string }>;
}

const cache = new Map<string, Promise<SpeechDocument>>();

/**
 * Loads speech `id`; concurrent and repeated calls share one request. Failures are not cached, so a retry refetches.
 * @throws ApiError on HTTP errors or a malformed body.
 */
export function fetchSpeech(id: string): Promise<SpeechDocument> {
  const cached = cache.get(id);
  if (cached) return cached;
  const request = requestJson(`/api/speeches/${encodeURIComponent(id)}`).then(toSpeechDocument);
  cache.set(id, request);
  request.catch(() => cache.delete(id));
  return request;
}

/**
 * Lists every speech, never cached: the corpus changes while the page is open.
 * @throws ApiError on HTTP errors or a malformed body.
 */
export async function fetchSpeechList(): Promise<SpeechSummary[]> {
  const body = await requestJson('/api/speeches');
  if (!Array.isArray(body)) throw new ApiError('bad_response', 'The server sent the list of speeches in an unexpected shape.', 200);
  return body.filter(isRecord).map(toSpeechSummary).filter((speech) => speech.id !== '');
}

/** Forgets every cached speech: after the corpus changed, metadata may have been edited. */
export function forgetCachedSpeeches(): void {
  cache.clear();
}

/** Reads speech metadata from an untrusted record, with `''` for missing fields. */
export function toSpeechInfo(meta: Record<string, unknown>): SpeechInfo {
  return {
    id: str(meta.id),
    title: str(meta.title),
    speaker: str(meta.speaker),
    role: str(meta.role),
    event: str(meta.event),
    date: str(meta.date),
    place: str(meta.place),
    source: str(meta.source),
  };
}

/** Reads a listed speech from an untrusted record; a missing count reads as 0. */
export function toSpeechSummary(record: Record<string, unknown>): SpeechSummary {
  const paragraphs = Number(record.paragraphs);
  return { ...toSpeechInfo(record), paragraphs: Number.isInteger(paragraphs) && paragraphs >= 0 ? paragraphs : 0 };
}

function toSpeechDocument(body: unknown): SpeechDocument {
  if (!isRecord(body) || !isRecord(body.meta) || !Array.isArray(body.paragraphs)) {
    throw new ApiError('bad_response', 'The server sent a speech in an unexpected shape.', 200);
  }
  const paragraphs = body.paragraphs
    .filter(isRecord)
    .map((paragraph) => ({ n: Number(paragraph.n), text: str(paragraph.text) }))
    .filter((paragraph) => Number.isInteger(paragraph.n));
  return { meta: toSpeechInfo(body.meta), paragraphs };
}
