// The command line (`npm run add / remove / list`), spawned for real against a temporary corpus and index with
// the tiny model: adding several files, refusals that change nothing, removal, a running server that picks up
// a speech added from the command line, and adds from the command line and HTTP at the same moment.

import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCorpus } from '../../server/adapters/corpus-folder.ts';
import { withCorpusLock } from '../../server/adapters/corpus-writer.ts';
import { readIndexManifest } from '../../server/adapters/index-store.ts';
import { CorpusIndex } from '../../server/corpus-index.ts';
import type { AnswerFrame, CorpusFrame } from '../../server/core/protocol.ts';
import { passagesOf } from '../../server/qa-service.ts';
import { CLIMATE_KEYNOTE, ISLAND_STATEMENT, makeSpeechDocx, makeSpeechPdf, speechPlainText } from '../fixtures/make-fixtures.ts';
import { runNpm, runScript, type CliRun } from './cli-runner.ts';
import { digestFolder, postSpeech, readIndexVectors, TEST_ADMIN_TOKEN } from './speech-requests.ts';
import { startTestServer, TestClient } from './test-server.ts';
import { createTinyModelLoader, createWorkspace, type Workspace } from './workspace.ts';

const KEYNOTE_ID = 'idm-2019-10-15-keynote-address';
const ISLAND_ID = 'idm-2019-10-16-statement-disaster-displacement';

/** The tiny model and the fixture files, shared by every test (each test has its own corpus). */
let shared: Workspace;
let modelDir: string;
let loadTiny: Awaited<ReturnType<typeof createTinyModelLoader>>['load'];
/**
 * Each test spawns the real command line under tsx, whose first PDF in a fresh process transforms the PDF
 * library (seconds on a cold cache) while other test files share the two cores: room for that, still bounded.
 */
const CLI_TEST_TIMEOUT_MS = 240_000;
const files = { pdf: '', docx: '', broken: '', undated: '', headerText: '' };

beforeAll(async () => {
  shared = await createWorkspace();
  ({ modelDir, load: loadTiny } = await createTinyModelLoader(shared));
  files.pdf = await makeSpeechPdf(path.join(shared.root, 'keynote.pdf'));
  files.docx = await makeSpeechDocx(path.join(shared.root, 'island.docx'), { speech: ISLAND_STATEMENT });
  files.broken = path.join(shared.root, 'broken.pdf');
  await writeFile(files.broken, '%PDF-1.7\nnot really a PDF\n%%EOF');
  files.undated = path.join(shared.root, 'harbour notes.txt');
  await writeFile(files.undated, 'Dock workers unload containers through the night in the northern harbour.\n\nTheir contracts are written in a language they cannot read.\n');
  files.headerText = path.join(shared.root, 'island.txt');
  await writeFile(files.headerText, speechPlainText(ISLAND_STATEMENT));
}, 60_000);
afterAll(async () => {
  await shared?.remove();
});

/** Runs one of the command-line tools with tsx against `ws`, with the tiny model unless `model` is 'none'. */
function runCli(tool: 'add-speech' | 'remove-speech' | 'list-speeches', args: string[], ws: Workspace, options: { model?: 'tiny' | 'none' } = {}): Promise<CliRun> {
  const env: NodeJS.ProcessEnv = {
    CORPUS_DIR: ws.corpusDir,
    INDEX_DIR: ws.indexDir,
    MODEL_CACHE_DIR: path.join(ws.root, 'cache'),
    ALLOW_REMOTE_MODELS: 'false',
    MODEL_ID: options.model === 'none' ? 'none' : '',
    MODEL_DIR: options.model === 'none' ? '' : modelDir,
    INIT_CWD: ws.root,
  };
  return runScript(`server/cli/${tool}.ts`, args, env);
}

/** A fresh corpus copy with its index built by the tiny model, as `npm start` would leave it. */
async function indexedWorkspace(): Promise<Workspace> {
  const ws = await createWorkspace();
  await new CorpusIndex({ corpusDir: ws.corpusDir, indexDir: ws.indexDir }).sync({ embedder: await loadTiny() });
  return ws;
}

const snapshot = async (ws: Workspace) => ({ corpus: await digestFolder(ws.corpusDir), index: await digestFolder(ws.indexDir) });

// Each test has its own corpus and index, so they run side by side: most of their time is process start-up.
describe.concurrent('npm run add / list / remove', () => {
  it('adds several files in one run, each on its own: prints ids, metadata and counts; exit code 1 for the one that failed', async ({ expect }) => {
    const ws = await indexedWorkspace();
    try {
      const before = await readIndexVectors(ws.indexDir);
      const run = await runCli('add-speech', [files.pdf, files.broken, files.docx], ws);
      expect(run.code, run.stderr).toBe(1);
      expect(run.stdout).toContain(`added ${KEYNOTE_ID}: 30 paragraphs (30 embedded, 26 reused), from pdf`);
      expect(run.stdout).toContain(`added ${ISLAND_ID}: 10 paragraphs (10 embedded, 56 reused), from docx`);
      expect(run.stdout).toMatch(/speaker: +Ana Lucía Ferreira/);
      expect(run.stdout).toMatch(/date: +2019-10-16/);
      expect(run.stdout).toContain('2 of 3 files added');
      expect(run.stderr).toMatch(/broken\.pdf: not added: unreadable: /);
      // The model comes from a local folder (MODEL_DIR): it is loaded, not downloaded.
      expect(run.stderr).toContain('model: loading onnx/');
      expect(run.stderr).not.toContain('downloading');

      const after = await readIndexVectors(ws.indexDir);
      expect(after.size).toBe(26 + 30 + 10);
      for (const [key, vector] of before) expect(after.get(key), key).toBe(vector);
      expect((await readdir(ws.corpusDir)).sort()).toEqual([
        'idm-2018-closing-remarks-swing.meta.json',
        'idm-2018-closing-remarks-swing.txt',
        `${KEYNOTE_ID}.meta.json`,
        `${KEYNOTE_ID}.txt`,
        `${ISLAND_ID}.meta.json`,
        `${ISLAND_ID}.txt`,
      ]);

      const list = await runCli('list-speeches', [], ws);
      expect(list.code).toBe(0);
      expect(list.stdout).toMatch(new RegExp(`${KEYNOTE_ID} +2019-10-15 +30 +Keynote Address +Ana Lucía Ferreira`));
      expect(list.stdout).toContain('3 speeches, 66 paragraphs');

      // One run, each id on its own: the known one is removed, the unknown and the malformed are refused.
      const removed = await runCli('remove-speech', [KEYNOTE_ID, 'idm-no-such-speech', '../etc'], ws);
      expect(removed.code).toBe(1);
      expect(removed.stdout).toContain(`removed ${KEYNOTE_ID}; 2 speeches left`);
      expect(removed.stderr).toContain('idm-no-such-speech: not removed: not_found');
      expect(removed.stderr).toContain('../etc: not removed: bad_request');
      expect((await readdir(ws.corpusDir)).filter((f) => f.startsWith(KEYNOTE_ID))).toEqual([]);
      const pruned = await readIndexVectors(ws.indexDir);
      expect([...pruned.keys()].some((key) => key.startsWith(KEYNOTE_ID))).toBe(false);
      expect(pruned.size).toBe(36);
      for (const [key, vector] of pruned) expect(vector, key).toBe(after.get(key));
    } finally {
      await ws.remove();
    }
  }, CLI_TEST_TIMEOUT_MS);

  it('takes metadata from flags, and refuses a duplicate and a missing date without writing anything for them', async ({ expect }) => {
    const ws = await indexedWorkspace();
    try {
      const before = await snapshot(ws);
      const badFlag = await runCli('add-speech', [files.undated, '--date', '2019-02-30'], ws);
      expect(badFlag.code).toBe(1);
      expect(badFlag.stderr).toContain('bad_request: date:');
      expect(await snapshot(ws)).toEqual(before);
      const vectors = await readIndexVectors(ws.indexDir);

      const first = await runCli('add-speech', [files.undated, files.headerText], ws);
      expect(first.code).toBe(1);
      expect(first.stderr).toMatch(/harbour notes\.txt: not added: bad_request: missing date/);
      expect(first.stdout).toContain(`added ${ISLAND_ID}: 10 paragraphs (10 embedded, 26 reused), from txt`);

      const second = await runCli('add-speech', [files.docx, files.undated, '--date', '2019-11-05', '--place', 'Rotterdam', '--speaker', 'Port Workers Union'], ws);
      expect(second.code).toBe(1);
      expect(second.stderr).toMatch(new RegExp(`island\\.docx: not added: duplicate: .*"${ISLAND_ID}"`));
      expect(second.stdout).toContain('added idm-2019-11-05-harbour-notes: 2 paragraphs (2 embedded, 36 reused), from txt');
      expect(second.stdout).toMatch(/place: +Rotterdam/);
      expect(second.stdout).toMatch(/speaker: +Port Workers Union/);
      expect(second.stdout).toMatch(/source: +harbour notes\.txt/);

      // The refused files left no trace; the added ones left exactly their two files and their vectors.
      expect((await readdir(ws.corpusDir)).sort()).toEqual([
        'idm-2018-closing-remarks-swing.meta.json',
        'idm-2018-closing-remarks-swing.txt',
        `${ISLAND_ID}.meta.json`,
        `${ISLAND_ID}.txt`,
        'idm-2019-11-05-harbour-notes.meta.json',
        'idm-2019-11-05-harbour-notes.txt',
      ]);
      const after = await readIndexVectors(ws.indexDir);
      expect(after.size).toBe(26 + 10 + 2);
      for (const [key, vector] of vectors) expect(after.get(key), key).toBe(vector);
    } finally {
      await ws.remove();
    }
  }, CLI_TEST_TIMEOUT_MS);

  it('adds without a model, and `npm run list` works through npm', async ({ expect }) => {
    const ws = await createWorkspace();
    try {
      const run = await runCli('add-speech', [files.pdf], ws, { model: 'none' });
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toContain(`added ${KEYNOTE_ID}: 30 paragraphs (not indexed: no model`);
      // Keywords are indexed; vectors wait for a model.
      expect((await readdir(ws.indexDir)).filter((file) => /\.(i8|f32)$/.test(file))).toEqual([]);
      const list = await runNpm('list', [], { CORPUS_DIR: ws.corpusDir, INDEX_DIR: ws.indexDir });
      expect(list.code).toBe(0);
      expect(list.stdout).toContain('2 speeches, 56 paragraphs');
    } finally {
      await ws.remove();
    }
  }, CLI_TEST_TIMEOUT_MS);
});

describe('the command line and a running server', () => {
  it('a speech added from the command line reaches connected sockets, and the next answer cites it', async () => {
    const running = await startTestServer({ loadEmbedder: loadTiny, adminToken: TEST_ADMIN_TOKEN, watch: { debounceMs: 100 } });
    try {
      await running.service.modelSettled();
      const client = await TestClient.connect(running.wsUrl);
      await client.next((frame) => frame.type === 'ready');
      const run = await runCli('add-speech', [files.pdf], running.workspace);
      expect(run.code, run.stderr).toBe(0);
      const frame = (await client.next((f) => f.type === 'corpus', 15_000)) as CorpusFrame;
      expect(frame).toEqual({ type: 'corpus', speeches: 2, paragraphs: 26 + CLIMATE_KEYNOTE.paragraphs.length });
      client.send({ type: 'ask', id: 'q', question: 'How did community volunteers help before the cyclone made landfall?' });
      const answer = (await client.reply('q')) as AnswerFrame;
      expect(answer.mode).toBe('hybrid');
      expect(answer.passages[0]?.speech.id).toBe(KEYNOTE_ID);
      client.close();
    } finally {
      await running.stop();
    }
  }, CLI_TEST_TIMEOUT_MS);

  it('adds from the command line and over HTTP at the same moment: serialized, both kept, index consistent', async () => {
    const running = await startTestServer({ loadEmbedder: loadTiny, adminToken: TEST_ADMIN_TOKEN, watch: { debounceMs: 100 } });
    try {
      await running.service.modelSettled();
      const before = await readIndexVectors(running.workspace.indexDir);
      const corpusBefore = await digestFolder(running.workspace.corpusDir);
      // A third writer holds the corpus lock while both adds start, so that they are waiting for it together.
      let release = () => {};
      const held = new Promise<void>((resolve) => (release = resolve));
      let taken = () => {};
      const lockTaken = new Promise<void>((resolve) => (taken = resolve));
      const holder = withCorpusLock(running.workspace.corpusDir, async () => {
        taken();
        await held;
      });
      await lockTaken;
      const cliRun = runCli('add-speech', [files.pdf], running.workspace);
      const httpRun = postSpeech(running.server.url, { file: { name: 'island.docx', bytes: await readFile(files.docx) } });
      let httpAnswered = false;
      void httpRun.then(() => (httpAnswered = true));
      await new Promise((resolve) => setTimeout(resolve, 4_000));
      expect(httpAnswered).toBe(false);
      expect(await digestFolder(running.workspace.corpusDir)).toEqual(corpusBefore);
      release();
      await holder;
      const [cli, http] = await Promise.all([cliRun, httpRun]);
      expect(cli.code, cli.stderr).toBe(0);
      expect(http.status, JSON.stringify(http.body)).toBe(201);
      const ids = (await loadCorpus(running.workspace.corpusDir)).map((s) => s.meta.id);
      expect(ids).toEqual(['idm-2018-closing-remarks-swing', KEYNOTE_ID, ISLAND_ID]);
      const vectors = await readIndexVectors(running.workspace.indexDir);
      expect((await readIndexManifest(running.workspace.indexDir))?.passages).toBe(66);
      expect(vectors.size).toBe(66);
      for (const [key, vector] of before) expect(vectors.get(key), key).toBe(vector);
      // The server follows the command line's add too.
      const deadline = Date.now() + 15_000;
      while (running.service.status().speeches < 3 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
      expect(running.service.status()).toMatchObject({ speeches: 3, paragraphs: 66, mode: 'hybrid' });
      // Nothing is left behind; the server's reloads after each add (they follow file events) may hold the lock a moment.
      const dotFiles = async () => (await readdir(running.workspace.corpusDir)).filter((f) => f.startsWith('.'));
      while ((await dotFiles()).length > 0 && Date.now() < deadline + 5_000) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(await dotFiles()).toEqual([]);
    } finally {
      await running.stop();
    }
  }, CLI_TEST_TIMEOUT_MS);
});
