// The parser of frames from the server, used by clients (which trust the network no more than the server trusts
// them): every field of every frame type is checked, by a table of parsers keyed by type. No I/O here.

import { AppError } from './errors.ts';
import {
  isRecord,
  PROTOCOL_LIMITS,
  WIRE_ERROR_CODES,
  type AnswerPassage,
  type CitedSpeech,
  type ServerFrame,
  type WireErrorCode,
} from './protocol.ts';
import { isSpeechId } from './speech-meta.ts';
import { RETRIEVAL_MODES, type RetrievalMode } from './types.ts';

const bad = (message: string): AppError => new AppError('bad_request', `server frame: ${message}`);

function text(record: Record<string, unknown>, key: string): string {
  const value = record[key];
  if (typeof value !== 'string') throw bad(`"${key}" must be a string`);
  return value;
}

function count(record: Record<string, unknown>, key: string, options: { min: number } = { min: 0 }): number {
  const value = record[key];
  if (typeof value !== 'number' || !Number.isInteger(value) || value < options.min) throw bad(`"${key}" must be an integer of at least ${options.min}`);
  return value;
}

function mode(record: Record<string, unknown>): RetrievalMode {
  const value = record.mode;
  if (!(RETRIEVAL_MODES as readonly unknown[]).includes(value)) throw bad(`"mode" must be one of ${RETRIEVAL_MODES.join(', ')}`);
  return value as RetrievalMode;
}

function requestId(record: Record<string, unknown>): string {
  const id = text(record, 'id');
  if (id.length === 0 || id.length > PROTOCOL_LIMITS.maxIdChars) throw bad(`"id" must be 1 to ${PROTOCOL_LIMITS.maxIdChars} characters`);
  return id;
}

function citedSpeech(value: unknown): CitedSpeech {
  if (!isRecord(value)) throw bad('"speech" must be an object');
  const id = text(value, 'id');
  if (!isSpeechId(id)) throw bad('"speech.id" is not a speech id');
  return { id, title: text(value, 'title'), speaker: text(value, 'speaker'), date: text(value, 'date'), event: text(value, 'event'), place: text(value, 'place') };
}

/** `[start, end)` ranges inside a text of `length` characters. */
function highlights(value: unknown, length: number): Array<[number, number]> {
  if (!Array.isArray(value)) throw bad('"highlights" must be an array');
  return value.map((range) => {
    const [start, end] = Array.isArray(range) && range.length === 2 ? (range as unknown[]) : [];
    if (!Number.isInteger(start) || !Number.isInteger(end) || (start as number) < 0 || (start as number) >= (end as number) || (end as number) > length) {
      throw bad('"highlights" must be [start, end) ranges inside the text');
    }
    return [start as number, end as number];
  });
}

function passage(value: unknown): AnswerPassage {
  if (!isRecord(value)) throw bad('a passage must be an object');
  const passageText = text(value, 'text');
  const score = value.score;
  if (typeof score !== 'number' || !Number.isFinite(score)) throw bad('"score" must be a number');
  return {
    rank: count(value, 'rank', { min: 1 }),
    score,
    text: passageText,
    highlights: highlights(value.highlights, passageText.length),
    paragraph: count(value, 'paragraph', { min: 1 }),
    speech: citedSpeech(value.speech),
  };
}

/** One parser per server frame type: a new type is a new entry here, and the compiler asks for it. */
const SERVER_FRAME_PARSERS: { [T in ServerFrame['type']]: (record: Record<string, unknown>) => Extract<ServerFrame, { type: T }> } = {
  ready: (record) => ({ type: 'ready', mode: mode(record), speeches: count(record, 'speeches'), paragraphs: count(record, 'paragraphs') }),
  answer: (record) => {
    if (typeof record.noAnswer !== 'boolean') throw bad('"noAnswer" must be true or false');
    if (!Array.isArray(record.passages)) throw bad('"passages" must be an array');
    return { type: 'answer', id: requestId(record), mode: mode(record), noAnswer: record.noAnswer, passages: record.passages.map(passage) };
  },
  mode: (record) => ({ type: 'mode', mode: mode(record) }),
  corpus: (record) => ({ type: 'corpus', speeches: count(record, 'speeches'), paragraphs: count(record, 'paragraphs') }),
  error: (record) => {
    const code = record.code;
    if (!(WIRE_ERROR_CODES as readonly unknown[]).includes(code)) throw bad(`"code" must be one of ${WIRE_ERROR_CODES.join(', ')}`);
    return { type: 'error', id: record.id === null ? null : requestId(record), code: code as WireErrorCode, message: text(record, 'message') };
  },
};

/**
 * Parses a frame from the server, checking every field.
 * @throws AppError `bad_json` when it is not JSON, `bad_request` for an unknown type or a malformed field.
 */
export function parseServerFrame(raw: string): ServerFrame {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new AppError('bad_json', 'server frame is not valid JSON');
  }
  if (!isRecord(value) || typeof value.type !== 'string') throw new AppError('bad_request', 'server frame has no type');
  const type = value.type;
  if (!Object.hasOwn(SERVER_FRAME_PARSERS, type)) throw new AppError('bad_request', `unknown server frame type "${type.slice(0, 40)}"`);
  return SERVER_FRAME_PARSERS[type as ServerFrame['type']](value);
}
