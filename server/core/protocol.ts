// The chat wire protocol over WebSocket: every frame type, and the one parser of untrusted client input.
// Imported by the server and by the browser client alike; no I/O here.

import { AppError } from './errors.ts';
import { isIsoDate, isSpeechId } from './speech-meta.ts';
import type { RetrievalMode } from './types.ts';

/** Limits and defaults of the protocol, in one place. */
export const PROTOCOL_LIMITS = {
  /** Longest question accepted, in characters as people count them (Unicode code points: an emoji is one). */
  maxQuestionChars: 2000,
  /** Largest text frame parsed at all, in bytes; larger ones get `too_long`. */
  maxFrameBytes: 16 * 1024,
  /** Longest request id accepted. */
  maxIdChars: 64,
  defaultTopK: 3,
  minTopK: 1,
  maxTopK: 10,
  /** Most speech ids one question may be filtered to. */
  maxSpeechIds: 100,
} as const;

/** Restricts a question to some speeches: by id, and/or by date range (inclusive, `YYYY-MM-DD`). */
export interface AskFilter {
  speechIds?: string[];
  from?: string;
  to?: string;
}

/** Client → server: ask a question, optionally only of some speeches. */
export interface AskFrame extends AskFilter {
  type: 'ask';
  id: string;
  question: string;
  topK: number;
}

/** Every frame a client may send. */
export type ClientFrame = AskFrame;

/** The speech a passage is quoted from, as cited. */
export interface CitedSpeech {
  id: string;
  title: string;
  speaker: string;
  date: string;
  event: string;
  place: string;
}

/** One quoted passage of an answer. */
export interface AnswerPassage {
  rank: number;
  score: number;
  /** The paragraph, verbatim. */
  text: string;
  /** `[start, end)` character ranges of `text` that best answer the question. */
  highlights: Array<[number, number]>;
  /** 1-based paragraph number in the speech. */
  paragraph: number;
  speech: CitedSpeech;
}

/** Server → client on connect. */
export interface ReadyFrame {
  type: 'ready';
  mode: RetrievalMode;
  speeches: number;
  paragraphs: number;
}

/** Server → client: the answer to one `ask`. */
export interface AnswerFrame {
  type: 'answer';
  id: string;
  mode: RetrievalMode;
  noAnswer: boolean;
  passages: AnswerPassage[];
}

/** Server → client: the retrieval mode changed (e.g. the model finished loading). */
export interface ModeFrame {
  type: 'mode';
  mode: RetrievalMode;
}

/** Server → client: speeches were added or removed; counts after the change. */
export interface CorpusFrame {
  type: 'corpus';
  speeches: number;
  paragraphs: number;
}

/** Server → client: a request failed; the connection stays open. */
export interface ErrorFrame {
  type: 'error';
  id: string | null;
  code: WireErrorCode;
  message: string;
}

/** Error codes that can appear in an `error` frame. */
export type WireErrorCode = 'bad_json' | 'bad_request' | 'too_long' | 'rate_limited' | 'internal';

/** Every frame the server may send. */
export type ServerFrame = ReadyFrame | AnswerFrame | ModeFrame | CorpusFrame | ErrorFrame;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Length of a string in UTF-8 bytes, without allocating (runs in browsers too). */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      // A surrogate pair is one 4-byte code point.
      bytes += 4;
      i += 1;
    } else bytes += 3;
  }
  return bytes;
}

/** Length of a string in Unicode code points (a surrogate pair counts once), without allocating. */
export function codePointLength(text: string): number {
  let count = 0;
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    // The low half of a pair is not counted; a lone surrogate counts as one character.
    if (code >= 0xdc00 && code <= 0xdfff && i > 0 && text.charCodeAt(i - 1) >= 0xd800 && text.charCodeAt(i - 1) <= 0xdbff) continue;
    count += 1;
  }
  return count;
}

/** Reads a request id from any parsed value, so errors can name the request they answer. */
function idOf(value: unknown): string | null {
  if (!isRecord(value)) return null;
  const id = value.id;
  return typeof id === 'string' && id.length > 0 && id.length <= PROTOCOL_LIMITS.maxIdChars ? id : null;
}

/**
 * Parses one untrusted text frame from a client.
 * @throws AppError `bad_json`, `bad_request` or `too_long`, carrying the frame's id when it had a usable one.
 */
export function parseClientFrame(raw: string): ClientFrame {
  if (utf8Length(raw) > PROTOCOL_LIMITS.maxFrameBytes) {
    throw new AppError('too_long', `frame is over ${PROTOCOL_LIMITS.maxFrameBytes} bytes`);
  }
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new AppError('bad_json', 'frame is not valid JSON');
  }
  const requestId = idOf(value);
  const bad = (message: string) => new AppError('bad_request', message, { requestId });
  if (!isRecord(value)) throw bad('frame must be a JSON object');
  if (value.type !== 'ask') {
    throw bad(typeof value.type === 'string' ? `unknown frame type "${value.type.slice(0, 40)}"` : 'frame has no "type"');
  }
  if (requestId === null) throw bad(`"id" must be a string of 1 to ${PROTOCOL_LIMITS.maxIdChars} characters`);
  if (typeof value.question !== 'string') throw bad('"question" must be a string');
  const question = value.question.trim();
  if (question.length === 0) throw bad('"question" is empty');
  if (codePointLength(question) > PROTOCOL_LIMITS.maxQuestionChars) {
    throw new AppError('too_long', `"question" is over ${PROTOCOL_LIMITS.maxQuestionChars} characters`, { requestId });
  }
  let topK: number = PROTOCOL_LIMITS.defaultTopK;
  if (value.topK !== undefined) {
    if (
      typeof value.topK !== 'number' ||
      !Number.isInteger(value.topK) ||
      value.topK < PROTOCOL_LIMITS.minTopK ||
      value.topK > PROTOCOL_LIMITS.maxTopK
    ) {
      throw bad(`"topK" must be an integer from ${PROTOCOL_LIMITS.minTopK} to ${PROTOCOL_LIMITS.maxTopK}`);
    }
    topK = value.topK;
  }
  const frame: AskFrame = { type: 'ask', id: requestId, question, topK };
  if (value.speechIds !== undefined) {
    const ids = value.speechIds;
    if (!Array.isArray(ids) || ids.length > PROTOCOL_LIMITS.maxSpeechIds || !ids.every((id) => typeof id === 'string' && isSpeechId(id))) {
      throw bad(`"speechIds" must be an array of at most ${PROTOCOL_LIMITS.maxSpeechIds} speech ids`);
    }
    frame.speechIds = ids as string[];
  }
  for (const key of ['from', 'to'] as const) {
    const date = value[key];
    if (date === undefined) continue;
    if (typeof date !== 'string' || !isIsoDate(date)) throw bad(`"${key}" must be a real date written YYYY-MM-DD`);
    frame[key] = date;
  }
  if (frame.from !== undefined && frame.to !== undefined && frame.from > frame.to) throw bad('"from" is after "to"');
  return frame;
}

/**
 * Parses a frame from the server (used by clients, which should not trust the network either).
 * @throws AppError `bad_json` or `bad_request`
 */
export function parseServerFrame(raw: string): ServerFrame {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new AppError('bad_json', 'server frame is not valid JSON');
  }
  if (!isRecord(value) || typeof value.type !== 'string') {
    throw new AppError('bad_request', 'server frame has no type');
  }
  switch (value.type) {
    case 'ready':
    case 'answer':
    case 'mode':
    case 'corpus':
    case 'error':
      return value as unknown as ServerFrame;
    default:
      throw new AppError('bad_request', `unknown server frame type "${value.type.slice(0, 40)}"`);
  }
}
