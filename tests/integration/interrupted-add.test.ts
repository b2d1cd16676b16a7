// A process killed at every point of an add leaves a consistent corpus and index on the next start: the speech
// is fully there (killed after the commit) or not there at all, and existing vectors are untouched.

import { spawn } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { describe, it, type ExpectStatic } from 'vitest';
import { loadCorpus } from '../../server/adapters/corpus-folder.ts';
import { readIndexManifest } from '../../server/adapters/index-store.ts';
import { CorpusIndex } from '../../server/corpus-index.ts';
import { PROJECT_ROOT } from '../../server/config.ts';
import { openQaService, passagesOf } from '../../server/qa-service.ts';
import { CLIMATE_KEYNOTE, makeSpeechPdf } from '../fixtures/make-fixtures.ts';
import { FakeEmbedder } from '../unit/fakes.ts';
import { digestFolder, readIndexVectors } from './speech-requests.ts';
import { createWorkspace, type Workspace } from './workspace.ts';

const SCRIPT = path.join(PROJECT_ROOT, 'tests', 'integration', 'fixtures', 'interrupted-add.ts');
const NEW_ID = 'idm-2019-10-15-keynote-address';
const QUIET = { info: () => {}, warn: () => {}, error: () => {} };

/** Runs the add in a child process and kills it (SIGKILL) as soon as it announces `stopAt`; returns what it said. */
async function addKilledAt(ws: Workspace, file: string, stopAt: string): Promise<string> {
  const child = spawn(process.execPath, ['--import', 'tsx', SCRIPT, ws.corpusDir, ws.indexDir, file, stopAt], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  let said = '';
  const reached = await new Promise<boolean>((resolve) => {
    child.stdout.on('data', (chunk: Buffer) => {
      said += chunk.toString();
      if (said.split('\n').includes(stopAt)) resolve(true);
    });
    void exited.then(() => resolve(false));
  });
  child.kill('SIGKILL');
  await exited;
  return reached ? stopAt : `never reached "${stopAt}"; said: ${said}`;
}

/** Kills an add at `stopAt`, then opens the service afresh and checks that corpus and index agree. */
async function checkKilledAdd(ws: Workspace, stopAt: string, kept: boolean, expect: ExpectStatic): Promise<void> {
  await new CorpusIndex({ corpusDir: ws.corpusDir, indexDir: ws.indexDir }).sync({ embedder: new FakeEmbedder() });
  const corpusBefore = await digestFolder(ws.corpusDir);
  const vectorsBefore = await readIndexVectors(ws.indexDir);
  const file = await makeSpeechPdf(path.join(ws.root, 'keynote.pdf'));

  expect(await addKilledAt(ws, file, stopAt)).toBe(stopAt);

  const embedder = new FakeEmbedder();
  const service = await openQaService({ corpusDir: ws.corpusDir, indexDir: ws.indexDir, loadEmbedder: async () => embedder, watch: null, log: QUIET });
  try {
    await service.modelSettled();
    const files = await readdir(ws.corpusDir);
    expect(files.filter((name) => name.startsWith('.'))).toEqual([]);
    const ids = service.listSpeeches().map((s) => s.id);
    if (kept) {
      expect(ids).toEqual(['idm-2018-closing-remarks-swing', NEW_ID]);
      expect(files).toEqual(expect.arrayContaining([`${NEW_ID}.txt`, `${NEW_ID}.meta.json`]));
    } else {
      expect(ids).toEqual(['idm-2018-closing-remarks-swing']);
      expect(await digestFolder(ws.corpusDir)).toEqual(corpusBefore);
    }
    // The index holds exactly the corpus's passages; no old paragraph was embedded again.
    const status = service.status();
    expect(status.mode).toBe('hybrid');
    expect((await readIndexManifest(ws.indexDir))?.passages).toBe(status.paragraphs);
    const vectors = await readIndexVectors(ws.indexDir);
    expect([...vectors.keys()].sort()).toEqual(passagesOf(await loadCorpus(ws.corpusDir)).map((p) => p.key).sort());
    for (const [key, vector] of vectorsBefore) expect(vectors.get(key), key).toBe(vector);
    const seedTexts = new Set(passagesOf(await loadCorpus(path.join(PROJECT_ROOT, 'corpus'))).map((p) => p.text));
    expect(embedder.calls.flat().filter((text) => seedTexts.has(text))).toEqual([]);
    if (kept) {
      const answer = await service.ask('community volunteers cyclone landfall evacuations', { topK: 1 });
      expect(answer.passages[0]?.speech.id).toBe(NEW_ID);
      expect(status.paragraphs).toBe(26 + CLIMATE_KEYNOTE.paragraphs.length);
    }
  } finally {
    await service.close();
  }
}

describe('an add killed part-way', () => {
  // Each kill point has its own workspace and child process; they run side by side.
  it.concurrent.for<[string, boolean]>([
    ['journal-written', false],
    ['text-written', false],
    ['meta-written', false],
    ['embedding', false],
    ['indexed', false],
    ['done', true],
  ])('killed at "%s": on the next start the speech is there: %s, and corpus and index agree', { timeout: 240_000 }, async ([stopAt, kept], { expect }) => {
    const ws = await createWorkspace();
    try {
      await checkKilledAdd(ws, stopAt, kept, expect);
    } finally {
      await ws.remove();
    }
  });
});
