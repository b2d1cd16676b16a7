// SIGTERM to the real server process (`server/main.ts`) with an add in progress and questions waiting: it stops
// accepting at once, answers every question already received, finishes the add (or rolls it back), closes the
// socket with 1001 and exits 0 well within its shutdown time; corpus and index agree on the next start.

import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadTransformersEmbedder } from '../../server/adapters/transformers-embedder.ts';
import { readIndexManifest } from '../../server/adapters/index-store.ts';
import { openQaService } from '../../server/qa-service.ts';
import { startServerProcess, type ServerProcess } from '../../scripts/server-process.ts';
import { writeTinyModel } from '../../scripts/tiny-model.ts';
import { seededRandom } from '../unit/fakes.ts';
import { postSpeech, TEST_ADMIN_TOKEN } from './speech-requests.ts';
import { TestClient } from './test-server.ts';
import { corpusWords, createWorkspace, type Workspace } from './workspace.ts';

const SHUTDOWN_SECONDS = 10;
const QUIET = { info: () => {}, warn: () => {}, error: () => {} };
let server: ServerProcess | null = null;
let files: Workspace | null = null;
afterEach(async () => {
  await server?.dispose();
  await files?.remove();
  server = null;
  files = null;
});

/** A speech of `paragraphs` distinct paragraphs of corpus words, with a header block giving its title and date. */
function longSpeech(words: readonly string[], paragraphs: number): string {
  const random = seededRandom(1001);
  const body = Array.from({ length: paragraphs }, (_, n) => `${Array.from({ length: 30 }, () => words[Math.floor(random() * words.length)]).join(' ')} (${n + 1}).`);
  return `Title: A long statement\nDate: 2019-10-15\n\n${body.join('\n\n')}\n`;
}

/** Resolves true once the corpus lock exists (an add holds it while it embeds), false if `done` settles first. */
async function lockTaken(corpusDir: string, done: Promise<unknown>): Promise<boolean> {
  let settled = false;
  void done.finally(() => {
    settled = true;
  });
  const deadline = Date.now() + 60_000;
  while (!settled && Date.now() < deadline) {
    if ((await readdir(corpusDir)).includes('.lock')) return true;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return false;
}

describe('graceful shutdown on SIGTERM', () => {
  it('answers the questions received, finishes or rolls back the add under way, closes sockets with 1001 and exits 0', { timeout: 180_000 }, async () => {
    files = await createWorkspace();
    const modelDir = path.join(files.root, 'tiny-model');
    await writeTinyModel(modelDir, { dimension: 64, vocabulary: await corpusWords(files.corpusDir) });
    const words = await corpusWords(files.corpusDir);
    server = await startServerProcess({ ADMIN_TOKEN: TEST_ADMIN_TOKEN, MODEL_DIR: modelDir, SHUTDOWN_TIMEOUT_SECONDS: String(SHUTDOWN_SECONDS) });
    expect(server.mode).toBe('hybrid');
    const wsUrl = `${server.url.replace(/^http/, 'ws')}/ws`;
    const client = await TestClient.connect(wsUrl);
    await client.next((frame) => frame.type === 'ready');

    // A long speech, so that its add holds the corpus lock (embedding) long enough to be caught in progress.
    const adding = postSpeech(server.url, { json: { text: longSpeech(words, 1_500) } });
    for (let i = 0; i < 12; i += 1) client.send({ type: 'ask', id: `q${i}`, question: 'Is forced labor addressed in the GCM negotiations?' });
    const inProgress = await lockTaken(server.corpusDir, adding);
    expect(inProgress, 'the add finished before it could be caught in progress').toBe(true);
    const signalled = performance.now();
    server.child.kill('SIGTERM');

    // No new connections once shutting down.
    await new Promise((resolve) => setTimeout(resolve, 300));
    await expect(TestClient.connect(wsUrl)).rejects.toThrow();

    const replies = await Promise.all(Array.from({ length: 12 }, (_, i) => client.reply(`q${i}`, 15_000)));
    expect(replies.map((frame) => frame.type)).toEqual(Array.from({ length: 12 }, () => 'answer'));
    expect(await client.closed(15_000)).toBe(1001);
    const added = await adding;
    expect([201, 503]).toContain(added.status);
    if (added.status === 503) expect(added.body.error.code).toBe('busy');

    const { code } = await server.exited;
    const tookMs = performance.now() - signalled;
    console.log(`SIGTERM with an add in progress: add ${added.status === 201 ? 'finished (201)' : 'rolled back (503 busy)'}, 12 questions answered, exit ${code} after ${tookMs.toFixed(0)} ms`);
    expect(code).toBe(0);
    expect(tookMs).toBeLessThan(SHUTDOWN_SECONDS * 1000);
    expect(server.output()).toContain('shut down cleanly');

    // The next start finds corpus and index in line: the speech fully there (201) or not at all (503).
    expect((await readdir(server.corpusDir)).filter((name) => name.startsWith('.'))).toEqual([]);
    const reopened = await openQaService({
      corpusDir: server.corpusDir,
      indexDir: server.indexDir,
      loadEmbedder: () => loadTransformersEmbedder({ modelDir, cacheDir: path.join(files!.root, 'cache'), allowRemote: false }),
      watch: null,
      log: QUIET,
    });
    try {
      await reopened.modelSettled();
      expect(reopened.listSpeeches()).toHaveLength(added.status === 201 ? 2 : 1);
      expect((await readIndexManifest(server.indexDir))?.passages).toBe(reopened.status().paragraphs);
    } finally {
      await reopened.close();
    }
  });
});
