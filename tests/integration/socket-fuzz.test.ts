// Seeded fuzzing of the chat socket over a real connection, bounded in count and time: mutated ask frames, binary
// frames, invalid UTF-8, oversized frames, deep and odd JSON. Each frame gets exactly one reply (an answer, or an
// error of a wire code other than `internal`) and the connection stays open; a frame over 1 MB closes it (1009).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnswerFrame, ErrorFrame } from '../../server/core/protocol.ts';
import { seededRandom } from '../unit/fakes.ts';
import { startTestServer, TestClient, type TestServer } from './test-server.ts';

const FRAMES = 3_000;
const TIME_BUDGET_MS = 60_000;
let running: TestServer;
beforeAll(async () => {
  // The fuzzer sends as fast as it is answered; the rate limit is not what is tested here.
  running = await startTestServer({ socketLimits: { rate: { burst: 100_000, perSecond: 100_000 } } });
});
afterAll(async () => {
  await running?.stop();
});

type Random = () => number;
const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
const VALID = { type: 'ask', id: 'f', question: 'What is labour migration?', topK: 3 };
const ODD_VALUES: unknown[] = ['', 'ask', 0, -1, 2.5, 1e308, null, true, [], {}, 'é€\u2028', 'x'.repeat(70), 'q'.repeat(2_001), '🌍'.repeat(2_000), ['idm-2018-closing-remarks-swing'], '2019-02-30', '2019-01-01'];
const KEYS = ['type', 'id', 'question', 'topK', 'speechIds', 'from', 'to', '__proto__', 'constructor', 'extra'];

/** One random frame: text (mutated JSON, odd values, deep nesting, big) or bytes (binary, invalid UTF-8). */
function randomFrame(random: Random, n: number): { data: string | Buffer; binary: boolean } {
  const roll = random();
  if (roll < 0.05) return { data: Buffer.from(Array.from({ length: 1 + Math.floor(random() * 64) }, () => Math.floor(random() * 256))), binary: true };
  if (roll < 0.1) return { data: Buffer.concat([Buffer.from('{"type":"ask","id":"u'), Buffer.from([0xc3, 0x28, 0xff, 0x80]), Buffer.from('"}')]), binary: false };
  if (roll < 0.13) return { data: JSON.stringify({ ...VALID, id: `big${n}`, question: 'b'.repeat(17_000 + Math.floor(random() * 50_000)) }), binary: false };
  if (roll < 0.16) return { data: `${'['.repeat(5_000)}${']'.repeat(5_000)}`, binary: false };
  const record: Record<string, unknown> = { ...VALID, id: `f${n}` };
  for (let i = Math.floor(random() * 4); i > 0; i -= 1) {
    const key = pick(random, KEYS);
    if (random() < 0.25) delete record[key];
    else record[key] = pick(random, ODD_VALUES);
  }
  let text = JSON.stringify(record);
  if (random() < 0.3) {
    // A few byte-level edits of the JSON text.
    for (let i = 1 + Math.floor(random() * 3); i > 0; i -= 1) {
      const at = Math.floor(random() * text.length);
      text = random() < 0.5 ? text.slice(0, at) + pick(random, ['{', '"', ',', ':', '\\', ']', '\u0000', ' ']) + text.slice(at) : text.slice(0, at) + text.slice(at + 1);
    }
  }
  return { data: text, binary: false };
}

const WIRE_CODES = new Set(['bad_json', 'bad_request', 'too_long', 'rate_limited']);

describe('socket fuzz', () => {
  it(`answers each of ${FRAMES} seeded random frames exactly once, never with internal, and stays open`, { timeout: TIME_BUDGET_MS + 30_000 }, async () => {
    const random = seededRandom(20180327);
    const client = await TestClient.connect(running.wsUrl);
    await client.next((frame) => frame.type === 'ready');
    const outcomes: Record<string, number> = {};
    const problems: string[] = [];
    const started = performance.now();
    let sent = 0;
    for (; sent < FRAMES && performance.now() - started < TIME_BUDGET_MS; sent += 1) {
      const { data, binary } = randomFrame(random, sent);
      client.socket.send(data, { binary });
      const reply = (await client.next((frame) => frame.type === 'answer' || frame.type === 'error', 10_000)) as AnswerFrame | ErrorFrame;
      const outcome = reply.type === 'answer' ? 'answer' : reply.code;
      outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
      if (reply.type === 'error' && !WIRE_CODES.has(reply.code)) problems.push(`frame #${sent} ${String(data).slice(0, 120)}: ${reply.code} ${reply.message}`);
    }
    // Nothing more arrives: one reply per frame.
    await expect(client.next((frame) => frame.type === 'answer' || frame.type === 'error', 300)).rejects.toThrow(/no matching frame/);
    expect(client.socket.readyState).toBe(client.socket.OPEN);
    console.log(`socket fuzz: ${sent} frames in ${((performance.now() - started) / 1000).toFixed(1)} s; replies ${JSON.stringify(outcomes)}`);
    expect(problems).toEqual([]);
    expect(outcomes.answer).toBeGreaterThan(0);

    // A frame over 1 MB closes that connection (1009); the server answers the next one as before.
    client.socket.send('x'.repeat(1024 * 1024 + 1));
    expect(await client.closed()).toBe(1009);
    const next = await TestClient.connect(running.wsUrl);
    next.send(VALID);
    expect(await next.reply('f')).toMatchObject({ type: 'answer' });
    next.close();
  });
});
