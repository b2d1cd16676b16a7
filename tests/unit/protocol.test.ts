// Unit tests of the chat wire protocol: parseClientFrame on every kind of bad input (plus a seeded fuzz loop) and parseServerFrame.

import { describe, expect, it } from 'vitest';
import { AppError } from '../../server/core/errors.ts';
import { codePointLength, dispatchFrame, parseClientFrame, PROTOCOL_LIMITS, type AskFrame, type FrameHandlers, type ServerFrame } from '../../server/core/protocol.ts';
import { parseServerFrame } from '../../server/core/server-frames.ts';
import { SAMPLE_PASSAGE } from './fakes.ts';
import { seededRandom } from './fakes.ts';

const WIRE_CODES = new Set(['bad_json', 'bad_request', 'too_long', 'rate_limited', 'internal']);

/** A valid ask frame as an object, with `patch` applied (a key set to undefined is left out of the JSON). */
function frame(patch: Record<string, unknown> = {}): string {
  return JSON.stringify({ type: 'ask', id: 'req-1', question: 'What is labour migration?', topK: 3, ...patch });
}

/** Runs `parse` expecting an AppError; returns it. */
function errorOf(parse: () => unknown): AppError {
  let thrown: unknown;
  try {
    parse();
  } catch (error) {
    thrown = error;
  }
  expect(thrown, 'expected an AppError to be thrown').toBeInstanceOf(AppError);
  return thrown as AppError;
}

function expectClientError(raw: string, code: string, requestId: string | null): AppError {
  const error = errorOf(() => parseClientFrame(raw));
  expect(error.code).toBe(code);
  expect(error.requestId).toBe(requestId);
  expect(error.message.length).toBeGreaterThan(0);
  return error;
}

describe('parseClientFrame: valid frames', () => {
  it('returns exactly type, id, question and topK for a valid ask frame', () => {
    expect(parseClientFrame(frame())).toEqual({ type: 'ask', id: 'req-1', question: 'What is labour migration?', topK: 3 });
  });

  it('drops unknown extra fields from the returned frame', () => {
    const parsed = parseClientFrame(frame({ extra: 'x', nested: { a: 1 } }));
    expect(Object.keys(parsed).sort()).toEqual(['id', 'question', 'topK', 'type']);
  });

  it('trims surrounding whitespace from the question', () => {
    expect(parseClientFrame(frame({ question: '  \n\t Why migrate?  \n' })).question).toBe('Why migrate?');
  });

  it('accepts surrounding JSON whitespace', () => {
    expect(parseClientFrame(`  \n${frame()}\n  `).id).toBe('req-1');
  });

  it('defaults topK to 3 when it is missing', () => {
    expect(parseClientFrame(frame({ topK: undefined })).topK).toBe(PROTOCOL_LIMITS.defaultTopK);
    expect(PROTOCOL_LIMITS.defaultTopK).toBe(3);
  });

  it.each([1, 5, 10])('accepts topK %i', (topK) => {
    expect(parseClientFrame(frame({ topK })).topK).toBe(topK);
  });

  it('accepts topK written as an integral float (3.0 is the number 3 in JSON)', () => {
    expect(parseClientFrame('{"type":"ask","id":"r","question":"q","topK":3.0}').topK).toBe(3);
  });

  it('accepts an id of 1 and of exactly 64 characters', () => {
    expect(parseClientFrame(frame({ id: 'x' })).id).toBe('x');
    const id64 = 'i'.repeat(64);
    expect(parseClientFrame(frame({ id: id64 })).id).toBe(id64);
  });

  it('accepts a question of exactly 2000 characters', () => {
    const question = 'q'.repeat(PROTOCOL_LIMITS.maxQuestionChars);
    expect(PROTOCOL_LIMITS.maxQuestionChars).toBe(2000);
    expect(parseClientFrame(frame({ question })).question).toBe(question);
  });

  it('counts the question in characters as people do (code points): 2000 emoji pass, 2001 do not', () => {
    const emoji = '🌍'.repeat(2000);
    expect(emoji.length).toBe(4000);
    expect(parseClientFrame(frame({ question: emoji })).question).toBe(emoji);
    expect(parseClientFrame(frame({ question: `${'é'.repeat(1000)}${'🌍'.repeat(1000)}` })).question).toHaveLength(3000);
    expect(() => parseClientFrame(frame({ question: '🌍'.repeat(2001) }))).toThrow(expect.objectContaining({ code: 'too_long' }));
    // A lone surrogate (not valid text, but a string JSON can carry) counts as one character.
    expect(codePointLength('\ud83c')).toBe(1);
    expect(codePointLength('a\udf0db')).toBe(3);
    expect(codePointLength('🌍🌍')).toBe(2);
  });

  it('measures the question length after trimming, so padding around 2000 characters is fine', () => {
    const question = 'q'.repeat(2000);
    expect(parseClientFrame(frame({ question: `   ${question}   ` })).question).toBe(question);
  });

  it('accepts a frame of exactly maxFrameBytes characters', () => {
    const base = frame({ pad: '' });
    const raw = frame({ pad: 'p'.repeat(PROTOCOL_LIMITS.maxFrameBytes - base.length) });
    expect(raw.length).toBe(PROTOCOL_LIMITS.maxFrameBytes);
    expect(parseClientFrame(raw).type).toBe('ask');
  });
});

describe('parseClientFrame: bad JSON', () => {
  it.each(['', 'not json', '{', '{"type":"ask",}', "{'type':'ask'}", 'undefined', 'NaN', '{"type":"ask"} x'])(
    'rejects %j as bad_json with no request id',
    (raw) => {
      expectClientError(raw, 'bad_json', null);
    },
  );
});

describe('parseClientFrame: not an object', () => {
  it.each(['[]', '[{"type":"ask","id":"r","question":"q"}]', '42', 'null', 'true', '"ask"'])(
    'rejects %s as bad_request with no request id',
    (raw) => {
      expectClientError(raw, 'bad_request', null);
    },
  );
});

describe('parseClientFrame: type', () => {
  it('rejects a missing type as bad_request, carrying the id', () => {
    expectClientError(frame({ type: undefined }), 'bad_request', 'req-1');
  });

  it.each(['answer', 'ASK', 'ask ', '', 'ready'])('rejects type %j as bad_request, carrying the id', (type) => {
    expectClientError(frame({ type }), 'bad_request', 'req-1');
  });

  it.each([1, null, true, ['ask'], { ask: true }])('rejects non-string type %j as bad_request', (type) => {
    expectClientError(frame({ type }), 'bad_request', 'req-1');
  });

  it('does not echo more than a short prefix of a long unknown type', () => {
    const error = expectClientError(frame({ type: 'z'.repeat(5000) }), 'bad_request', 'req-1');
    expect(error.message.length).toBeLessThan(200);
  });
});

describe('parseClientFrame: id', () => {
  it('rejects a missing id as bad_request with no request id', () => {
    expectClientError(frame({ id: undefined }), 'bad_request', null);
  });

  it('rejects an empty id as bad_request with no request id', () => {
    expectClientError(frame({ id: '' }), 'bad_request', null);
  });

  it('rejects a 65-character id as bad_request with no request id', () => {
    expectClientError(frame({ id: 'i'.repeat(65) }), 'bad_request', null);
  });

  it.each([7, null, true, ['a'], { a: 1 }])('rejects non-string id %j as bad_request with no request id', (id) => {
    expectClientError(frame({ id }), 'bad_request', null);
  });

  it('reports an unusable id as null even when another field is also bad', () => {
    expectClientError(frame({ id: '', question: 42 }), 'bad_request', null);
    expectClientError(frame({ id: 'i'.repeat(65), type: 'nope' }), 'bad_request', null);
  });
});

describe('parseClientFrame: question', () => {
  it('rejects a missing question as bad_request, carrying the id', () => {
    expectClientError(frame({ question: undefined }), 'bad_request', 'req-1');
  });

  it.each([42, null, false, ['q'], { q: 'q' }])('rejects non-string question %j as bad_request', (question) => {
    expectClientError(frame({ question }), 'bad_request', 'req-1');
  });

  it.each(['', ' ', '   \t\n  ', '\u00a0\u2003'])('rejects empty or whitespace-only question %j as bad_request', (question) => {
    expectClientError(frame({ question }), 'bad_request', 'req-1');
  });

  it('rejects a question of 2001 characters as too_long, carrying the id', () => {
    expectClientError(frame({ question: 'q'.repeat(2001) }), 'too_long', 'req-1');
  });
});

describe('parseClientFrame: topK', () => {
  it.each([0, 11, -1, 2.5, 1e9])('rejects topK %j as bad_request, carrying the id', (topK) => {
    expectClientError(frame({ topK }), 'bad_request', 'req-1');
  });

  it.each(['3', null, true, [3], { n: 3 }])('rejects non-number topK %j as bad_request', (topK) => {
    expectClientError(frame({ topK }), 'bad_request', 'req-1');
  });
});

describe('parseClientFrame: frame size', () => {
  it('rejects a frame one character over maxFrameBytes as too_long without parsing it (no request id)', () => {
    const base = frame({ pad: '' });
    const raw = frame({ pad: 'p'.repeat(PROTOCOL_LIMITS.maxFrameBytes - base.length + 1) });
    expect(raw.length).toBe(PROTOCOL_LIMITS.maxFrameBytes + 1);
    expectClientError(raw, 'too_long', null);
  });

  it('rejects an oversized frame as too_long even when it is not JSON', () => {
    expectClientError('x'.repeat(PROTOCOL_LIMITS.maxFrameBytes + 1), 'too_long', null);
  });

  it('measures maxFrameBytes in UTF-8 bytes, so a multi-byte frame over 16 KiB is too_long', () => {
    const raw = frame({ pad: '\u20ac'.repeat(6000) });
    expect(raw.length).toBeLessThan(PROTOCOL_LIMITS.maxFrameBytes);
    expect(Buffer.byteLength(raw, 'utf8')).toBeGreaterThan(PROTOCOL_LIMITS.maxFrameBytes);
    expectClientError(raw, 'too_long', null);
  });
});

describe('parseClientFrame: precedence of checks', () => {
  it('checks the type before the id', () => {
    const error = expectClientError(frame({ type: 'other', id: undefined }), 'bad_request', null);
    expect(error.message).toMatch(/type/i);
  });

  it('checks the question before topK', () => {
    const error = expectClientError(frame({ question: '', topK: 99 }), 'bad_request', 'req-1');
    expect(error.message).toMatch(/question/i);
  });

  it('reports a too-long question even when topK is also bad', () => {
    expectClientError(frame({ question: 'q'.repeat(2001), topK: 0 }), 'too_long', 'req-1');
  });
});

describe('parseClientFrame: fuzz', () => {
  const ALPHABET = ['{', '}', '[', ']', '"', ':', ',', '\\', ' ', '\n', 'a', 'k', 's', 't', 'y', 'p', 'e', '0', '1', '3', '9', '-', '.', 'é', '€', '\u2028', 'n', 'u', 'l', 'q', 'i', 'd', 'K'];
  const VALUES: unknown[] = [
    '', ' ', 'ask', 'x', 'i'.repeat(64), 'i'.repeat(65), 'q'.repeat(2000), 'q'.repeat(2001), ` ${'q'.repeat(2000)} `, '\t\n',
    0, 1, 3, 10, 11, -1, 2.5, 1e308, -0, null, true, false, [], [1], {}, { type: 'ask' }, '3', 'null',
  ];
  const KEYS = ['type', 'id', 'question', 'topK', 'extra', '__proto__', 'constructor'];

  function pick<T>(random: () => number, items: readonly T[]): T {
    return items[Math.floor(random() * items.length)] as T;
  }

  /** One random mutation: either of the JSON text, or of one field's value. */
  function mutate(random: () => number, raw: string): string {
    const at = Math.floor(random() * (raw.length + 1));
    switch (Math.floor(random() * 7)) {
      case 0:
        return raw.slice(0, at) + pick(random, ALPHABET) + raw.slice(at);
      case 1:
        return raw.slice(0, at) + raw.slice(at + 1);
      case 2:
        return raw.slice(0, at) + pick(random, ALPHABET) + raw.slice(at + 1);
      case 3:
        return raw.slice(0, at);
      case 4: {
        const from = Math.floor(random() * raw.length);
        return raw.slice(0, at) + raw.slice(from, from + 1 + Math.floor(random() * 20)) + raw.slice(at);
      }
      default: {
        let value: unknown;
        try {
          value = JSON.parse(raw);
        } catch {
          return raw.slice(0, at) + pick(random, ALPHABET) + raw.slice(at);
        }
        if (typeof value !== 'object' || value === null || Array.isArray(value)) return JSON.stringify({ type: 'ask', value });
        const record = { ...(value as Record<string, unknown>) };
        const key = pick(random, KEYS);
        if (random() < 0.2) delete record[key];
        else record[key] = pick(random, VALUES);
        return JSON.stringify(record);
      }
    }
  }

  /** The id an error should carry for a raw frame: the parsed object's id when usable, else null. */
  function usableId(raw: string): string | null {
    try {
      const value: unknown = JSON.parse(raw);
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
      const id = (value as Record<string, unknown>).id;
      return typeof id === 'string' && id.length >= 1 && id.length <= 64 ? id : null;
    } catch {
      return null;
    }
  }

  /** What is wrong with a parsed frame, or null when it is a well-formed AskFrame of the frame that was sent. */
  function problemWith(parsed: AskFrame, raw: string): string | null {
    const keys = Object.keys(parsed).sort().join(',');
    if (keys !== 'id,question,topK,type') return `keys ${keys}`;
    if (parsed.type !== 'ask') return `type ${String(parsed.type)}`;
    if (typeof parsed.id !== 'string' || parsed.id.length < 1 || parsed.id.length > PROTOCOL_LIMITS.maxIdChars) return 'bad id';
    if (typeof parsed.question !== 'string' || parsed.question !== parsed.question.trim()) return 'untrimmed question';
    if (parsed.question.length < 1 || codePointLength(parsed.question) > PROTOCOL_LIMITS.maxQuestionChars) return 'question length';
    if (!Number.isInteger(parsed.topK) || parsed.topK < PROTOCOL_LIMITS.minTopK || parsed.topK > PROTOCOL_LIMITS.maxTopK) return `topK ${parsed.topK}`;
    // And it is the frame that was sent, not something else.
    const sent = JSON.parse(raw) as Record<string, unknown>;
    if (parsed.id !== sent.id) return 'id differs from the frame';
    if (parsed.question !== String(sent.question).trim()) return 'question differs from the frame';
    if (parsed.topK !== (sent.topK ?? PROTOCOL_LIMITS.defaultTopK)) return 'topK differs from the frame';
    return null;
  }

  /** What is wrong with a thrown value, or null when it is an AppError with a parse code and the right request id. */
  function problemWithError(thrown: unknown, raw: string): string | null {
    if (!(thrown instanceof AppError)) return `threw ${String(thrown)}`;
    if (!WIRE_CODES.has(thrown.code) || !['bad_json', 'bad_request', 'too_long'].includes(thrown.code)) return `code ${thrown.code}`;
    const expectedId = thrown.code === 'too_long' && raw.length > PROTOCOL_LIMITS.maxFrameBytes ? null : usableId(raw);
    if (thrown.requestId !== expectedId) return `requestId ${String(thrown.requestId)}, expected ${String(expectedId)}`;
    return null;
  }

  it('either returns a well-formed AskFrame or throws an AppError with a wire code, over 2,000 seeded mutations', () => {
    const random = seededRandom(20180327);
    const outcomes: Record<string, number> = { ok: 0, bad_json: 0, bad_request: 0, too_long: 0 };
    const problems: string[] = [];
    for (let i = 0; i < 2000; i += 1) {
      let raw = frame();
      const rounds = 1 + Math.floor(random() * 3);
      for (let r = 0; r < rounds; r += 1) raw = mutate(random, raw);
      let problem: string | null;
      try {
        problem = problemWith(parseClientFrame(raw), raw);
        outcomes.ok = (outcomes.ok ?? 0) + 1;
      } catch (error) {
        problem = problemWithError(error, raw);
        const code = error instanceof AppError ? error.code : 'other';
        outcomes[code] = (outcomes[code] ?? 0) + 1;
      }
      if (problem !== null) problems.push(`mutation #${i} ${JSON.stringify(raw.length > 300 ? `${raw.slice(0, 300)}…` : raw)}: ${problem}`);
    }
    expect(problems).toEqual([]);
    // The mutations reach every outcome, so the loop exercises more than one branch.
    expect(outcomes.ok).toBeGreaterThan(0);
    expect(outcomes.bad_json).toBeGreaterThan(0);
    expect(outcomes.bad_request).toBeGreaterThan(0);
    expect(outcomes.too_long).toBeGreaterThan(0);
  });
});

describe('parseServerFrame', () => {
  it.each([
    { type: 'ready', mode: 'lexical', speeches: 1, paragraphs: 26 },
    { type: 'answer', id: 'r1', mode: 'hybrid', noAnswer: true, passages: [] },
    { type: 'mode', mode: 'hybrid' },
    { type: 'error', id: null, code: 'rate_limited', message: 'slow down' },
  ])('returns a $type frame as sent', (value) => {
    expect(parseServerFrame(JSON.stringify(value))).toEqual(value);
  });

  it.each(['', 'nope', '{"type":'])('rejects %j as bad_json', (raw) => {
    expect(errorOf(() => parseServerFrame(raw)).code).toBe('bad_json');
  });

  it.each(['[]', 'null', '42', '"ready"', '{}', '{"type":1}', '{"type":null}'])('rejects %s (no string type) as bad_request', (raw) => {
    expect(errorOf(() => parseServerFrame(raw)).code).toBe('bad_request');
  });

  it.each(['ask', 'READY', 'unknown', ''])('rejects unknown server frame type %j as bad_request', (type) => {
    expect(errorOf(() => parseServerFrame(JSON.stringify({ type }))).code).toBe('bad_request');
  });

  it('carries no request id on its errors', () => {
    expect(errorOf(() => parseServerFrame('{"type":"ask","id":"r1"}')).requestId).toBeNull();
  });
});

describe('parseServerFrame: every field checked', () => {
  const passage = SAMPLE_PASSAGE;
  const answer = { type: 'answer', id: 'c1', mode: 'lexical', noAnswer: false, passages: [passage] };

  it('returns an answer with its passages, dropping fields the protocol does not have', () => {
    expect(parseServerFrame(JSON.stringify({ ...answer, extra: 1, passages: [{ ...passage, key: 'x' }] }))).toEqual(answer);
    expect(parseServerFrame(JSON.stringify({ type: 'corpus', speeches: 2, paragraphs: 40 }))).toEqual({ type: 'corpus', speeches: 2, paragraphs: 40 });
  });

  it.each([
    ['a ready frame without counts', { type: 'ready', mode: 'lexical' }],
    ['an unknown mode', { type: 'mode', mode: 'psychic' }],
    ['an answer without an id', { ...answer, id: undefined }],
    ['a passage whose highlight leaves its text', { ...answer, passages: [{ ...passage, highlights: [[0, 999]] }] }],
    ['a passage citing a malformed speech id', { ...answer, passages: [{ ...passage, speech: { ...passage.speech, id: '../x' } }] }],
    ['a passage with a score that is not a number', { ...answer, passages: [{ ...passage, score: 'high' }] }],
    ['an error with a code outside the wire set', { type: 'error', id: null, code: 'corpus_invalid', message: 'x' }],
    ['negative counts', { type: 'corpus', speeches: -1, paragraphs: 0 }],
  ])('refuses %s as bad_request', (_label, value) => {
    expect(errorOf(() => parseServerFrame(JSON.stringify(value))).code).toBe('bad_request');
  });
});

describe('dispatchFrame', () => {
  it('calls the handler of the frame type, with that frame', () => {
    const seen: string[] = [];
    const handlers: FrameHandlers<ServerFrame> = {
      ready: (frame) => seen.push(`ready ${frame.speeches}`),
      answer: (frame) => seen.push(`answer ${frame.id}`),
      mode: (frame) => seen.push(`mode ${frame.mode}`),
      corpus: (frame) => seen.push(`corpus ${frame.paragraphs}`),
      error: (frame) => seen.push(`error ${frame.code}`),
    };
    dispatchFrame(handlers, { type: 'mode', mode: 'hybrid' });
    dispatchFrame(handlers, { type: 'error', id: null, code: 'internal', message: '' });
    expect(seen).toEqual(['mode hybrid', 'error internal']);
  });

  it('refuses, as internal, a frame whose type has no handler (a value from outside the types)', () => {
    expect(errorOf(() => dispatchFrame({} as FrameHandlers<ServerFrame>, { type: 'mode', mode: 'hybrid' })).code).toBe('internal');
  });
});
