// The chat wire protocol over WebSocket: every frame type, the one parser of untrusted client input (a table of
// parsers by frame type), and dispatch by frame type. Imported by the server and the browser client; no I/O here.

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
export const WIRE_ERROR_CODES = ['bad_json', 'bad_request', 'too_long', 'rate_limited', 'internal'] as const;

/** One error code of an `error` frame. */
export type WireErrorCode = (typeof WIRE_ERROR_CODES)[number];

/** Every frame the server may send. */
export type ServerFrame = ReadyFrame | AnswerFrame | ModeFrame | CorpusFrame | ErrorFrame;

/** True for a plain JSON object. */
export function isRecord(value: unknown): value is Record<string, unknown> {
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
export function idOf(value: unknown): string | null {
  if (!isRecord(value)) return null;
  const id = value.id;
  return typeof id === 'string' && id.length > 0 && id.length <= PROTOCOL_LIMITS.maxIdChars ? id : null;
}

/** Parses the fields of one client frame type; `bad` makes a `bad_request` error carrying the frame's id. */
type ClientFrameParser<F extends ClientFrame> = (value: Record<string, unknown>, context: { requestId: string | null; bad: (message: string) => AppError }) => F;

/** One parser per client frame type: a new type is a new entry here, and the compiler asks for its handler. */
const CLIENT_FRAME_PARSERS: { [T in ClientFrame['type']]: ClientFrameParser<Extract<ClientFrame, { type: T }>> } = {
  ask: parseAskFrame,
};

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
  const type = value.type;
  if (typeof type !== 'string' || !Object.hasOwn(CLIENT_FRAME_PARSERS, type)) {
    throw bad(typeof type === 'string' ? `unknown frame type "${type.slice(0, 40)}"` : 'frame has no "type"');
  }
  return CLIENT_FRAME_PARSERS[type as ClientFrame['type']](value, { requestId, bad });
}

function parseAskFrame(value: Record<string, unknown>, { requestId, bad }: { requestId: string | null; bad: (message: string) => AppError }): AskFrame {
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

/** The handlers of a union of frames: one per type, each given the frame of its type. */
export type FrameHandlers<F extends { type: string }, R = void> = { [T in F['type']]: (frame: Extract<F, { type: T }>) => R };

/** Calls the handler of `frame`'s type. Tables typed {@link FrameHandlers} have a handler for every type. */
export function dispatchFrame<F extends { type: string }, R>(handlers: FrameHandlers<F, R>, frame: F): R {
  const handler = handlers[frame.type as F['type']] as ((frame: F) => R) | undefined;
  if (handler === undefined) return assertNever(frame as never, 'frame type');
  return handler(frame);
}

/**
 * Marks a place no value can reach: the compiler checks that every case of a union was handled before it.
 * @throws AppError `internal` if it is reached all the same (a value from outside the types).
 */
export function assertNever(value: never, what: string): never {
  throw new AppError('internal', `unhandled ${what}: ${JSON.stringify(value)?.slice(0, 80)}`);
}
