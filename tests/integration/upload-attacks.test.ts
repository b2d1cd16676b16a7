// Hostile uploads on a real server, generated here: zip bombs (honest, lying, declaring 1.2 GB) and a PDF of 5,000
// pages. Each is refused with too_large, questions on another socket are answered in under 200 ms meanwhile (nine
// in ten; the slowest under 1 s on a busy machine), the server lives on, and its memory returns to within 100 MB.

import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeManyPagePdf, makeZipBombDocx } from '../fixtures/attack-files.ts';
import { postSpeech, TEST_ADMIN_TOKEN } from './speech-requests.ts';
import { startTestServer, TestClient, type TestServer } from './test-server.ts';

const MB = 1024 * 1024;
let dir: string;
let running: TestServer;
const attacks: Array<{ name: string; bytes: Buffer }> = [];

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'idm-uploads-'));
  const make = async (name: string, write: (file: string) => Promise<unknown>) => {
    const file = path.join(dir, name);
    await write(file);
    attacks.push({ name, bytes: await readFile(file) });
  };
  await make('bomb.docx', (file) => makeZipBombDocx(file, { inflatedBytes: 300 * MB }));
  await make('lying-bomb.docx', (file) => makeZipBombDocx(file, { inflatedBytes: 300 * MB, declaredBytes: 10_240 }));
  await make('declared-1.2-GB.docx', (file) => makeZipBombDocx(file, { inflatedBytes: 300 * MB, declaredBytes: 1200 * MB }));
  await make('5000-pages.pdf', (file) => makeManyPagePdf(file, { pages: 5_000 }));
  running = await startTestServer({
    adminToken: TEST_ADMIN_TOKEN,
    warmExtraction: true,
    watch: null,
    // The watcher asks as fast as it is answered: well beyond a person's rate.
    socketLimits: { rate: { burst: 1_000, perSecond: 1_000 } },
  });
}, 120_000);
afterAll(async () => {
  await running?.stop();
  await rm(dir, { recursive: true, force: true });
});

const rssMb = () => process.memoryUsage.rss() / MB;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Asks questions one after another on `client` until `done` settles; returns each answer's time in ms. */
async function askWhile(client: TestClient, done: Promise<unknown>): Promise<number[]> {
  let finished = false;
  void done.finally(() => {
    finished = true;
  });
  const times: number[] = [];
  for (let i = 0; !finished || times.length < 5; i += 1) {
    const started = performance.now();
    client.send({ type: 'ask', id: `w${i}`, question: 'Is forced labor addressed in the GCM negotiations?' });
    expect(await client.reply(`w${i}`, 10_000)).toMatchObject({ type: 'answer', noAnswer: false });
    times.push(performance.now() - started);
    await sleep(20);
  }
  return times;
}

describe('hostile uploads', () => {
  it('refuses bombs and a 5,000-page PDF with too_large, answers others meanwhile, and gives the memory back', { timeout: 120_000 }, async () => {
    const url = running.server.url;
    // A first ordinary upload (a dry run) warms everything an upload uses; the baseline is taken after it.
    expect((await postSpeech(url, { file: { name: 'note.txt', bytes: 'Title: Note\nDate: 2019-10-15\n\nA short paragraph of speech text.\n' }, dryRun: true })).status).toBe(200);
    await sleep(3_000);
    const baseline = rssMb();

    const client = await TestClient.connect(running.wsUrl);
    await client.next((frame) => frame.type === 'ready');
    const started = performance.now();
    const uploads = Promise.all(attacks.map(({ name, bytes }) => postSpeech(url, { file: { name, bytes } }).then((reply) => ({ name, reply, ms: performance.now() - started }))));
    const times = await askWhile(client, uploads);
    const results = await uploads;

    for (const { name, reply } of results) {
      expect({ name, status: reply.status, code: reply.body?.error?.code }).toEqual({ name, status: 413, code: 'too_large' });
    }
    const sorted = [...times].sort((a, b) => a - b);
    const at = (share: number) => sorted[Math.min(sorted.length - 1, Math.floor(share * sorted.length))]!;
    console.log(
      `uploads refused in ${results.map(({ name, ms }) => `${name} ${ms.toFixed(0)} ms`).join(', ')}; ${times.length} questions meanwhile: ` +
        `median ${at(0.5).toFixed(1)} ms, p90 ${at(0.9).toFixed(1)} ms, slowest ${at(1).toFixed(1)} ms`,
    );
    // Unprotected, the bomb blocked every socket for 81 s and the PDF for 6 s. A busy shared machine can still
    // stall the whole process now and then, so the slowest answer has room; nine in ten must take under 200 ms.
    expect(at(0.9)).toBeLessThan(200);
    expect(at(1)).toBeLessThan(1_000);

    // Alive: health, and a question on a new connection.
    expect((await fetch(`${url}/api/health`)).status).toBe(200);
    const after = await TestClient.connect(running.wsUrl);
    after.send({ type: 'ask', id: 'after', question: 'How can the dignity of migrants be guaranteed?' });
    expect(await after.reply('after')).toMatchObject({ type: 'answer', noAnswer: false });
    after.close();
    client.close();

    // Memory comes back (workers end with their file; a spare is started again meanwhile).
    let rss = rssMb();
    for (let waited = 0; rss - baseline >= 100 && waited < 20_000; waited += 500) {
      await sleep(500);
      rss = rssMb();
    }
    console.log(`RSS ${baseline.toFixed(0)} MB before the uploads, ${rss.toFixed(0)} MB after`);
    expect(rss - baseline).toBeLessThan(100);
  });
});
