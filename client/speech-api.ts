// Fetches one speech (metadata + paragraphs) from `GET /api/speeches/:id`, validated and cached per page.

/** Speech metadata as served by the API. */
export interface SpeechInfo {
  id: string;
  title: string;
  speaker: string;
  role: string;
  event: string;
  date: string;
  place: string;
  source: string;
}

/** A speech with its numbered paragraphs. */
export interface SpeechDocument {
  meta: SpeechInfo;
  paragraphs: Array<{ n: number; text: string }>;
}

/** A failed speech request, with the server's error code when it sent one. */
export class SpeechApiError extends Error {
  readonly code: string;

  constructor(code: string, message: string) {
    super(message);
    this.name = 'SpeechApiError';
    this.code = code;
  }
}

const cache = new Map<string, Promise<SpeechDocument>>();

/**
 * Loads speech `id`; concurrent and repeated calls share one request. Failures are not cached, so a retry refetches.
 * @throws SpeechApiError on HTTP errors or a malformed body.
 */
export function fetchSpeech(id: string): Promise<SpeechDocument> {
  const cached = cache.get(id);
  if (cached) return cached;
  const request = load(id);
  cache.set(id, request);
  request.catch(() => cache.delete(id));
  return request;
}

async function load(id: string): Promise<SpeechDocument> {
  let response: Response;
  try {
    response = await fetch(`/api/speeches/${encodeURIComponent(id)}`, { headers: { accept: 'application/json' } });
  } catch {
    throw new SpeechApiError('network', 'The server could not be reached.');
  }
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    throw new SpeechApiError('bad_response', `The server sent an unreadable reply (HTTP ${response.status}).`);
  }
  if (!response.ok) {
    const error = isRecord(body) && isRecord(body.error) ? body.error : {};
    throw new SpeechApiError(
      str(error.code) || `http_${response.status}`,
      str(error.message) || `The server answered HTTP ${response.status}.`,
    );
  }
  return toSpeechDocument(body);
}

function toSpeechDocument(body: unknown): SpeechDocument {
  if (!isRecord(body) || !isRecord(body.meta) || !Array.isArray(body.paragraphs)) {
    throw new SpeechApiError('bad_response', 'The server sent a speech in an unexpected shape.');
  }
  const meta = body.meta;
  const paragraphs = body.paragraphs
    .filter(isRecord)
    .map((paragraph) => ({ n: Number(paragraph.n), text: str(paragraph.text) }))
    .filter((paragraph) => Number.isInteger(paragraph.n));
  return {
    meta: {
      id: str(meta.id),
      title: str(meta.title),
      speaker: str(meta.speaker),
      role: str(meta.role),
      event: str(meta.event),
      date: str(meta.date),
      place: str(meta.place),
      source: str(meta.source),
    },
    paragraphs,
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function str(value: unknown): string {
  return typeof value === 'string' ? value : '';
}
