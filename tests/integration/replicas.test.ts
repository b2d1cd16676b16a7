// Two servers on one corpus folder, as replicas behind a load balancer: a speech added through one is answered by
// the other within seconds, from the index generation the first published, without a restart.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readIndexManifest } from '../../server/adapters/index-store.ts';
import { wrapEmbedder } from '../../server/core/embedder-wrapper.ts';
import type { Embedder } from '../../server/core/types.ts';
import { CLIMATE_KEYNOTE, speechPlainText } from '../fixtures/fixture-speeches.ts';
import { postSpeech, TEST_ADMIN_TOKEN } from './speech-requests.ts';
import { startTestServer, TestClient, type TestServer } from './test-server.ts';
import { createTinyModelLoader, createWorkspace, type Workspace } from './workspace.ts';

let workspace: Workspace;
let writer: TestServer;
let reader: TestServer;
/** Paragraph texts the reader's model embedded after it started: none, when it reads what the writer wrote. */
const embeddedByReader: string[] = [];

beforeAll(async () => {
  workspace = await createWorkspace();
  const tiny = await createTinyModelLoader(workspace);
  const watch = { debounceMs: 100 };
  writer = await startTestServer({ workspace, loadEmbedder: tiny.load, adminToken: TEST_ADMIN_TOKEN, watch });
  await writer.service.modelSettled();
  const readerModel = async (): Promise<Embedder> => wrapEmbedder(await tiny.load(), { before: (texts, kind) => void (kind === 'passage' && embeddedByReader.push(...texts)) });
  reader = await startTestServer({ workspace, loadEmbedder: readerModel, watch });
  await reader.service.modelSettled();
  embeddedByReader.length = 0;
}, 60_000);

afterAll(async () => {
  await reader?.stop();
  await writer?.stop();
  await workspace?.remove();
});

describe('two servers on one corpus folder', () => {
  it('answers on the second server from a speech added through the first within a few seconds', async () => {
    const client = await TestClient.connect(reader.wsUrl);
    await client.next((frame) => frame.type === 'ready');
    const added = await postSpeech(writer.server.url, { json: { text: speechPlainText(CLIMATE_KEYNOTE, { headerBlock: true }), fileName: 'keynote.txt' } });
    expect(added.status).toBe(201);
    const id: string = added.body.speech.id;
    const started = performance.now();
    let cited = false;
    for (let attempt = 0; attempt < 40 && !cited; attempt += 1) {
      client.send({ type: 'ask', id: `q${attempt}`, question: 'community volunteers cyclone landfall evacuations', topK: 3 });
      const reply = await client.reply(`q${attempt}`, 5_000);
      cited = reply.type === 'answer' && reply.passages.some((passage) => passage.speech.id === id);
      if (!cited) await new Promise((resolve) => setTimeout(resolve, 250));
    }
    const seconds = (performance.now() - started) / 1000;
    console.log(`the second server answered from the new speech after ${seconds.toFixed(2)} s`);
    expect(cited).toBe(true);
    expect(seconds).toBeLessThan(10);
    expect(reader.service.status()).toMatchObject({ mode: 'hybrid', speeches: 2 });
    // The reader read the generation the writer published: it embedded none of the new paragraphs itself.
    expect(embeddedByReader.filter((text) => CLIMATE_KEYNOTE.paragraphs.includes(text))).toEqual([]);
    expect((await readIndexManifest(workspace.indexDir))?.passages).toBe(26 + CLIMATE_KEYNOTE.paragraphs.length);
    client.close();
  }, 60_000);
});
