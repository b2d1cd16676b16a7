// The chat socket on a real server with real sockets: answers, every kind of bad frame, limits, many clients,
// and the move from lexical to hybrid mode announced to connected clients.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnswerFrame, ErrorFrame, ReadyFrame } from '../../server/core/protocol.ts';
import type { Embedder } from '../../server/core/types.ts';
import { startTestServer, TestClient, type TestServer } from './test-server.ts';
import { createTinyModelLoader } from './workspace.ts';

let running: TestServer;
beforeAll(async () => {
  running = await startTestServer();
});
afterAll(async () => {
  await running?.stop();
});

async function connect(): Promise<TestClient> {
  const client = await TestClient.connect(running.wsUrl);
  await client.next((frame) => frame.type === 'ready');
  return client;
}

describe('chat socket', () => {
  it('greets with ready, then answers a question with cited, highlighted passages', async () => {
    const client = await TestClient.connect(running.wsUrl);
    const ready = (await client.next()) as ReadyFrame;
    expect(ready).toEqual({ type: 'ready', mode: 'lexical', speeches: 1, paragraphs: 26 });
    client.send({ type: 'ask', id: 'c1', question: 'Is forced labor addressed in the GCM negotiations?', topK: 3 });
    const answer = (await client.reply('c1')) as AnswerFrame;
    expect(answer).toMatchObject({ type: 'answer', id: 'c1', mode: 'lexical', noAnswer: false });
    const first = answer.passages[0]!;
    expect(first).toMatchObject({ rank: 1, paragraph: 22, speech: { id: 'idm-2018-closing-remarks-swing', date: '2018-03-27' } });
    expect(first.text).toContain('forced labor is being addressed in the current GCM negotiations');
    expect(first.highlights.length).toBeGreaterThan(0);
    client.close();
  });

  it('says noAnswer for an off-topic question', async () => {
    const client = await connect();
    client.send({ type: 'ask', id: 'x', question: 'What is a good recipe for banana bread?' });
    expect(await client.reply('x')).toMatchObject({ type: 'answer', noAnswer: true, passages: [] });
    client.close();
  });

  it('answers every bad frame with an error frame and keeps the connection open', async () => {
    const client = await connect();
    const cases: Array<[string, unknown, ErrorFrame['code'], string | null]> = [
      ['not JSON', '{"type":"ask",', 'bad_json', null],
      ['not an object', '[1,2,3]', 'bad_request', null],
      ['unknown type', { type: 'shout', id: 'u1' }, 'bad_request', 'u1'],
      ['no id', { type: 'ask', question: 'migration data' }, 'bad_request', null],
      ['empty question', { type: 'ask', id: 'e1', question: '   ' }, 'bad_request', 'e1'],
      ['question not a string', { type: 'ask', id: 'e2', question: 42 }, 'bad_request', 'e2'],
      ['question over 2,000 characters', { type: 'ask', id: 'l1', question: 'a'.repeat(2001) }, 'too_long', 'l1'],
      ['topK too small', { type: 'ask', id: 'k0', question: 'migration', topK: 0 }, 'bad_request', 'k0'],
      ['topK too large', { type: 'ask', id: 'k11', question: 'migration', topK: 11 }, 'bad_request', 'k11'],
      ['topK not an integer', { type: 'ask', id: 'kf', question: 'migration', topK: 2.5 }, 'bad_request', 'kf'],
      ['frame over 16 kB', JSON.stringify({ type: 'ask', id: 'big', question: 'b'.repeat(20_000) }), 'too_long', null],
    ];
    for (const [label, frame, code, id] of cases) {
      client.send(frame);
      const error = (await client.next((f) => f.type === 'error')) as ErrorFrame;
      expect({ label, code: error.code, id: error.id }).toEqual({ label, code, id });
      expect(error.message.length).toBeGreaterThan(0);
    }
    client.socket.send(Buffer.from([1, 2, 3]), { binary: true });
    expect(await client.next((f) => f.type === 'error')).toMatchObject({ code: 'bad_request', id: null });
    // A text frame that is not valid UTF-8 (a lone continuation byte): an error frame, not a closed socket.
    client.socket.send(Buffer.from([0x7b, 0x80, 0x7d]), { binary: false });
    expect(await client.next((f) => f.type === 'error')).toMatchObject({ code: 'bad_request', id: null });

    client.send({ type: 'ask', id: 'ok', question: 'Where do good policies come from?' });
    expect(await client.reply('ok')).toMatchObject({ type: 'answer', noAnswer: false });
    expect(client.socket.readyState).toBe(client.socket.OPEN);
    client.close();
  });

  it('answers a burst of 30 questions with 20 answers and 10 rate_limited, keeping the connection open', async () => {
    const client = await TestClient.connect(running.wsUrl, { localAddress: '127.0.0.4' });
    await client.next((frame) => frame.type === 'ready');
    // All at once: more than are answered at a time, so the scheduler queues them; none is refused for that.
    for (let i = 0; i < 30; i += 1) client.send({ type: 'ask', id: `b${i}`, question: 'migration governance partnerships' });
    const replies = await Promise.all(Array.from({ length: 30 }, (_, i) => client.reply(`b${i}`, 10_000)));
    // The burst of 20, plus a token refilled every 200 ms (5 a second) while a busy machine reads the 30 frames.
    const answers = replies.filter((frame) => frame.type === 'answer').length;
    expect(answers).toBeGreaterThanOrEqual(20);
    expect(answers).toBeLessThan(30);
    expect(replies.filter((frame) => frame.type === 'error' && frame.code === 'rate_limited')).toHaveLength(30 - answers);
    // Answered in the order asked: one question per connection is answered at a time.
    expect(replies.slice(0, 20).every((frame) => frame.type === 'answer')).toBe(true);
    expect(client.socket.readyState).toBe(client.socket.OPEN);
    client.close();
  });

  it('closes a flooding client with 1008 and refuses its address for a while, without disturbing another', async () => {
    const flooder = await TestClient.connect(running.wsUrl, { localAddress: '127.0.0.2' });
    await flooder.next((frame) => frame.type === 'ready');
    const calm = await connect();
    for (let i = 0; i < 2_000; i += 1) flooder.send({ type: 'ask', id: `f${i}`, question: 'migration governance partnerships' });
    calm.send({ type: 'ask', id: 'calm', question: 'How can the dignity of migrants be guaranteed?' });
    expect(await calm.reply('calm')).toMatchObject({ type: 'answer', noAnswer: false });
    expect(await flooder.closed()).toBe(1008);
    // The first frames over the limit were told so; then the connection was closed, its waiting questions dropped,
    // and the rest of the flood cost nothing.
    for (let i = 20; i < 39; i += 1) expect(await flooder.reply(`f${i}`)).toMatchObject({ type: 'error', code: 'rate_limited' });
    await expect(flooder.reply('f39', 200)).rejects.toThrow(/no matching frame/);
    await expect(TestClient.connect(running.wsUrl, { localAddress: '127.0.0.2' })).rejects.toThrow(/429/);
    // Other addresses are not refused.
    const another = await connect();
    another.close();
    calm.close();
  });

  it('answers 50 clients asking at once, each with its own answer', async () => {
    const questions = [
      ['What does IOM want to mainstream into national development programs?', 'mainstream migration into national development programs'],
      ['Should partnerships among UN System agencies be leveraged?', 'partnerships among UN System agencies need to be leveraged'],
      ['When will a summary of the discussion be shared?', 'will be shared with you in the coming days'],
    ] as const;
    const clients = await Promise.all(Array.from({ length: 50 }, () => connect()));
    const started = performance.now();
    clients.forEach((client, i) => client.send({ type: 'ask', id: `q${i}`, question: questions[i % 3]![0] }));
    const answers = (await Promise.all(clients.map((client, i) => client.reply(`q${i}`, 10_000)))) as AnswerFrame[];
    const elapsed = performance.now() - started;
    answers.forEach((answer, i) => {
      expect(answer.type).toBe('answer');
      expect(answer.passages[0]?.text).toContain(questions[i % 3]![1]);
    });
    console.log(`50 concurrent questions answered in ${elapsed.toFixed(0)} ms`);
    for (const client of clients) client.close();
  });

  it('answers a short follow-up in the context of the previous question on the same connection', async () => {
    const client = await connect();
    client.send({ type: 'ask', id: 'f1', question: 'What must Member States develop the capacity to do?' });
    const first = (await client.reply('f1')) as AnswerFrame;
    expect(first.passages[0]?.text).toContain('develop the capacity to collect and share data');
    // On its own, "and what tools exist for that?" is too vague; after the question above it is about data tools.
    client.send({ type: 'ask', id: 'f2', question: 'And what tools exist for that?' });
    const followUp = (await client.reply('f2')) as AnswerFrame;
    expect(followUp.noAnswer).toBe(false);
    expect(followUp.passages[0]?.text).toContain('Displacement Tracking Matrix');

    // A long chain of follow-ups stays bounded: each remembered question is capped at 2,000 characters.
    const padding = Array.from({ length: 300 }, () => 'and what about that').join(' ').slice(0, 1990);
    for (let i = 0; i < 12; i += 1) client.send({ type: 'ask', id: `chain${i}`, question: `${padding} ${i}` });
    for (let i = 0; i < 12; i += 1) expect((await client.reply(`chain${i}`, 10_000)).type).toMatch(/answer|error/);

    const fresh = await connect();
    fresh.send({ type: 'ask', id: 'f3', question: 'And what tools exist for that?' });
    const alone = (await fresh.reply('f3')) as AnswerFrame;
    expect(alone.passages[0]?.text ?? '').not.toContain('Displacement Tracking Matrix');
    client.close();
    fresh.close();
  });

  it('refuses upgrades on other paths', async () => {
    await expect(TestClient.connect(running.wsUrl.replace('/ws', '/other'))).rejects.toThrow();
  });
});

describe('chat socket while the model loads', () => {
  it('answers lexically at first, then tells clients the mode is hybrid', async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let loader: (() => Promise<Embedder>) | null = null;
    const server = await startTestServer({
      loadEmbedder: async () => {
        await gate;
        return loader!();
      },
    });
    try {
      loader = (await createTinyModelLoader(server.workspace)).load;
      const client = await TestClient.connect(server.wsUrl);
      expect(await client.next()).toMatchObject({ type: 'ready', mode: 'lexical' });
      client.send({ type: 'ask', id: 'before', question: 'migration data' });
      expect(await client.reply('before')).toMatchObject({ mode: 'lexical' });
      release();
      expect(await client.next((f) => f.type === 'mode', 20_000)).toEqual({ type: 'mode', mode: 'hybrid' });
      client.send({ type: 'ask', id: 'after', question: 'migration data' });
      expect(await client.reply('after')).toMatchObject({ mode: 'hybrid', noAnswer: false });
      expect(server.service.status()).toMatchObject({ mode: 'hybrid', model: 'tiny-model' });
      client.close();
    } finally {
      await server.stop();
    }
  }, 30_000);
});
