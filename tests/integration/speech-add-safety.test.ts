// Safety of adding speeches, in hybrid mode with the real tiny model: an add embeds only the new paragraphs and
// leaves every existing vector bit-identical, and every kind of failed add leaves corpus/ and index/ exactly as
// they were (every file hashed before and after).

import { request } from 'node:http';
import { access, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_SPEECH_FILE_BYTES } from '../../server/core/source-formats.ts';
import { wrapEmbedder } from '../../server/core/embedder-wrapper.ts';
import type { Embedder } from '../../server/core/types.ts';
import { CLIMATE_KEYNOTE, FIXTURE_PARAGRAPH_COUNT, ISLAND_STATEMENT, makeSpeechDocx, makeSpeechPdf, speechPlainText } from '../fixtures/make-fixtures.ts';
import { digestFolder, postSpeech, readIndexVectors, TEST_ADMIN_TOKEN, type AddRequest } from './speech-requests.ts';
import { startTestServer, type TestServer } from './test-server.ts';
import { createTinyModelLoader, createWorkspace, type Workspace } from './workspace.ts';

let running: TestServer;
let modelSpace: Workspace;
let pdf: Uint8Array;
let encryptedPdf: Uint8Array;
let docx: Uint8Array;
/** While set, the model fails on its next call, as a crashed or unloaded model would mid-indexing. */
let failEmbedding = false;
/** Every text the model embedded, in order. */
const embedded: string[] = [];

beforeAll(async () => {
  modelSpace = await createWorkspace();
  const tiny = await createTinyModelLoader(modelSpace);
  const loadEmbedder = async (): Promise<Embedder> => {
    const inner = await tiny.load();
    return wrapEmbedder(inner, {
      before(texts, kind) {
        if (failEmbedding) throw new Error('the model process crashed');
        if (kind === 'passage') embedded.push(...texts);
      },
    });
  };
  running = await startTestServer({ adminToken: TEST_ADMIN_TOKEN, loadEmbedder });
  await running.service.modelSettled();
  const dir = modelSpace.root;
  pdf = await readFile(await makeSpeechPdf(path.join(dir, 'keynote.pdf')));
  encryptedPdf = await readFile(await makeSpeechPdf(path.join(dir, 'locked.pdf'), { encrypted: true }));
  docx = await readFile(await makeSpeechDocx(path.join(dir, 'keynote.docx')));
}, 60_000);
afterAll(async () => {
  await running?.stop();
  await modelSpace?.remove();
});

const url = () => running.server.url;
const snapshot = async () => ({ corpus: await digestFolder(running.workspace.corpusDir), index: await digestFolder(running.workspace.indexDir) });

describe('adding a speech in hybrid mode', () => {
  it('embeds only the new paragraphs and leaves every existing vector bit-identical', async () => {
    expect(running.service.status().mode).toBe('hybrid');
    const before = await readIndexVectors(running.workspace.indexDir);
    expect(before.size).toBe(26);
    embedded.length = 0;
    const { status, body } = await postSpeech(url(), { file: { name: 'keynote.pdf', bytes: pdf } });
    expect(status).toBe(201);
    expect([...embedded].sort()).toEqual([...CLIMATE_KEYNOTE.paragraphs].sort());

    const after = await readIndexVectors(running.workspace.indexDir);
    expect(after.size).toBe(26 + FIXTURE_PARAGRAPH_COUNT);
    for (const [key, vector] of before) expect(after.get(key), key).toBe(vector);
    const answer = await running.service.ask('How did community volunteers help before the cyclone made landfall?', { topK: 1 });
    expect(answer.mode).toBe('hybrid');
    expect(answer.passages[0]?.speech.id).toBe(body.speech.id);
  });
});

describe('a failed add changes nothing', () => {
  const tooLarge = new Uint8Array(MAX_SPEECH_FILE_BYTES + 1).fill(0x61);
  const cases: Array<[string, number, string, string, AddRequest]> = [
    ['an unreadable PDF', 422, 'unreadable', 'broken.pdf', { file: { name: 'broken.pdf', bytes: '%PDF-1.7\n1 0 obj << /Type /Catalog >>\nthis is not a PDF body\n%%EOF' } }],
    ['an encrypted PDF', 422, 'unreadable', 'locked.pdf', { file: { name: 'locked.pdf', bytes: new Uint8Array() } }],
    ['an empty text file', 422, 'unreadable', 'empty.txt', { file: { name: 'empty.txt', bytes: '' } }],
    ['a text file of blanks', 422, 'unreadable', 'blank.txt', { file: { name: 'blank.txt', bytes: ' \n\n\t\n' } }],
    ['a text with no paragraph, only headings', 422, 'unreadable', 'headings.txt', { file: { name: 'headings.txt', bytes: 'Conclusions\n\nThank you' }, fields: { date: '2019-01-01' } }],
    ['an unsupported type', 415, 'unsupported_type', 'speech.rtf', { file: { name: 'speech.rtf', bytes: '{\\rtf1 Hello}' } }],
    ['a text file named .pdf', 415, 'unsupported_type', 'speech.pdf', { file: { name: 'speech.pdf', bytes: speechPlainText(ISLAND_STATEMENT) } }],
    ['a file over 20 MB', 413, 'too_large', '20 MB', { file: { name: 'huge.txt', bytes: tooLarge } }],
    ['a duplicate (Word after PDF)', 409, 'duplicate', 'idm-2019-10-15-keynote-address', { file: { name: 'keynote.docx', bytes: new Uint8Array() } }],
    ['a duplicate (text after PDF)', 409, 'duplicate', 'Keynote Address', { json: { text: speechPlainText(CLIMATE_KEYNOTE) } }],
    ['a missing date', 400, 'bad_request', 'date', { json: { text: 'The first paragraph of a speech.\n\nThe second paragraph of it.', title: 'Undated' } }],
  ];

  it.each(cases)('%s: %i %s, corpus/ and index/ as before', async (_what, status, code, mentions, addRequest) => {
    // Fixtures made in beforeAll are filled in here, where they exist.
    if (addRequest.file?.name === 'locked.pdf') addRequest.file.bytes = encryptedPdf;
    if (addRequest.file?.name === 'keynote.docx') addRequest.file.bytes = docx;
    const before = await snapshot();
    const counts = running.service.status();
    const reply = await postSpeech(url(), addRequest);
    expect(reply.status).toBe(status);
    expect(reply.body.error.code).toBe(code);
    expect(reply.body.error.message).toContain(mentions);
    expect(await snapshot()).toEqual(before);
    expect(running.service.status()).toEqual(counts);
  });

  it('a model failure while indexing: 503 model_unavailable, corpus/ and index/ as before, and the next add works', async () => {
    const before = await snapshot();
    const text = 'Fishing cooperatives along the delta now share boats with families displaced by the floods.\n\nThe arrangement began informally and is now written into the district plan.';
    failEmbedding = true;
    try {
      const reply = await postSpeech(url(), { json: { text, title: 'Delta Cooperatives', date: '2019-11-02' } });
      expect(reply.status).toBe(503);
      expect(reply.body.error).toMatchObject({ code: 'model_unavailable', message: expect.stringContaining('nothing was added') });
    } finally {
      failEmbedding = false;
    }
    expect(await snapshot()).toEqual(before);
    await expect(access(path.join(running.workspace.corpusDir, '.journal.json'))).rejects.toThrow();
    const retry = await postSpeech(url(), { json: { text, title: 'Delta Cooperatives', date: '2019-11-02' } });
    expect(retry.status).toBe(201);
  });

  it('refuses a body declared larger than any acceptable file before reading it', async () => {
    const before = await snapshot();
    const { port } = new URL(url());
    const status = await new Promise<number>((resolve, reject) => {
      const req = request({
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/api/speeches',
        headers: {
          authorization: `Bearer ${TEST_ADMIN_TOKEN}`,
          'content-type': 'multipart/form-data; boundary=xyz',
          'content-length': String(MAX_SPEECH_FILE_BYTES * 2),
        },
      });
      req.on('response', (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
        req.destroy();
      });
      req.on('error', reject);
      req.write('--xyz\r\n');
    });
    expect(status).toBe(413);
    expect(await snapshot()).toEqual(before);
  });
});
