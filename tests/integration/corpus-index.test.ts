// The index on disk: what it records, what a change reads and writes (only what changed), rebuilds on a mismatch
// or corruption, safety of interrupted writes, and the vector scan's agreement with exact search.

import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { INDEX_FORMAT_VERSION, readIndexManifest } from '../../server/adapters/index-store.ts';
import { PROJECT_ROOT } from '../../server/config.ts';
import { CorpusIndex } from '../../server/corpus-index.ts';
import { wrapEmbedder } from '../../server/core/embedder-wrapper.ts';
import { DEFAULT_EMBEDDING_PROFILE } from '../../server/core/model-profiles.ts';
import type { Embedder } from '../../server/core/types.ts';
import { FakeEmbedder } from '../unit/fakes.ts';
import { createTinyModelLoader, createWorkspace, type Workspace } from './workspace.ts';

const QUIET = { info: () => {}, warn: () => {}, error: () => {} };
const SEED = 'idm-2018-closing-remarks-swing';
let workspace: Workspace;
let index: CorpusIndex;

beforeEach(async () => {
  workspace = await createWorkspace();
  index = new CorpusIndex({ corpusDir: workspace.corpusDir, indexDir: workspace.indexDir, log: QUIET });
});
afterEach(async () => {
  await workspace.remove();
});

/** A digest of every file under a folder, to tell whether anything on disk changed. */
async function digests(dir: string): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  for (const entry of await readdir(dir, { recursive: true })) {
    const file = path.join(dir, String(entry));
    if ((await stat(file)).isFile()) files[String(entry)] = createHash('sha256').update(await readFile(file)).digest('hex');
  }
  return files;
}

/** An embedder that fails on its n-th call, as a crash or a model error mid-build would. */
function failingOn(call: number, inner: Embedder): Embedder {
  let calls = 0;
  return wrapEmbedder(inner, {
    before() {
      calls += 1;
      if (calls === call) throw new Error('embedding failed mid-build');
    },
  });
}

/** Copies the corpus-dev statements into the workspace corpus. */
async function addCorpusDev(): Promise<void> {
  await cp(path.join(PROJECT_ROOT, 'tests', 'fixtures', 'corpus-dev'), workspace.corpusDir, { recursive: true });
}

describe('the index', () => {
  it('records its format, model, dimension and profile, and serves nearest neighbours and keywords', async () => {
    const embedder = new FakeEmbedder();
    const { snapshot, report } = await index.sync({ embedder });
    expect(report).toMatchObject({ rebuiltBecause: null, read: 1, embedded: 26, wrote: true });
    const manifest = await readIndexManifest(workspace.indexDir);
    expect(manifest).toMatchObject({ formatVersion: INDEX_FORMAT_VERSION, passages: 26 });
    expect(manifest?.vectors).toMatchObject({ modelId: embedder.modelId, dimension: 64, profile: embedder.profile, rows: 26 });
    const target = snapshot.speeches[0]!.paragraphs[21]!;
    const [hit] = await snapshot.store!.query(embedder.embedOne(target.text), 1);
    expect(hit).toMatchObject({ key: `${SEED}#22` });
    expect(hit?.score).toBeCloseTo(1, 5);
    expect(snapshot.lexical.search({ baseTerms: [{ term: 'forc', weight: 1 }], synonymTerms: [] }, 3)[0]?.key).toBe(`${SEED}#22`);
  });

  it('writes nothing when corpus and model are unchanged, and reads and embeds only a changed speech', async () => {
    await addCorpusDev();
    await index.sync({ embedder: new FakeEmbedder() });
    const before = await digests(workspace.indexDir);
    const again = await new CorpusIndex({ corpusDir: workspace.corpusDir, indexDir: workspace.indexDir }).sync({ embedder: new FakeEmbedder() });
    expect(again.report).toEqual({ rebuiltBecause: null, read: 0, embedded: 0, reused: 52, wrote: false });
    expect(await digests(workspace.indexDir)).toEqual(before);

    // A file rewritten with the same bytes (a copy, a restore) is not read again: its bytes are compared.
    const id = 'idm-2020-10-15-statement-by-sri-lanka-international-dialogue-on-migration';
    const file = path.join(workspace.corpusDir, `${id}.txt`);
    await writeFile(file, await readFile(file));
    expect((await index.sync({ embedder: new FakeEmbedder() })).report).toMatchObject({ read: 0, embedded: 0 });
    await writeFile(file, (await readFile(file, 'utf8')).replace('is not only timely but a present necessity', 'is not only timely but, truly, a present necessity'));
    const embedder = new FakeEmbedder();
    const { report, snapshot } = await index.sync({ embedder });
    expect(report).toMatchObject({ read: 1, embedded: 1 });
    expect(embedder.calls.flat()).toEqual([snapshot.speeches.find((s) => s.meta.id === id)!.paragraphs[0]!.text]);
    expect(snapshot.speeches).toHaveLength(6);
    // The other speeches' files were not rewritten: what is new is one segment of one speech.
    const after = await digests(workspace.indexDir);
    const added = Object.keys(after).filter((name) => !(name in before));
    expect(added.filter((name) => name.endsWith('.txt'))).toHaveLength(1);
    for (const name of Object.keys(before)) if (name !== 'manifest.json') expect(after[name]).toBe(before[name]);
  });

  it('leaves removed speeches out, and merges segments once many are gone', async () => {
    await addCorpusDev();
    await index.sync({ embedder: new FakeEmbedder() });
    const speeches = (await readdir(workspace.corpusDir)).filter((name) => name.endsWith('.txt') && !name.startsWith(SEED));
    for (const name of speeches.slice(0, 4)) {
      await rm(path.join(workspace.corpusDir, name));
      await rm(path.join(workspace.corpusDir, name.replace(/\.txt$/, '.meta.json')));
    }
    const { snapshot } = await index.sync({ embedder: new FakeEmbedder() });
    expect(snapshot.speeches.map((s) => s.meta.id)).not.toContain(speeches[0]!.replace(/\.txt$/, ''));
    expect(snapshot.speeches).toHaveLength(2);
    expect(snapshot.store?.size).toBe(snapshot.lexical.size === 0 ? 0 : snapshot.speeches.reduce((sum, s) => sum + s.paragraphs.length, 0));
    const hits = await snapshot.store!.query(new FakeEmbedder().embedOne('migration'), 100);
    expect(hits.every((hit) => snapshot.speeches.some((s) => hit.key.startsWith(`${s.meta.id}#`)))).toBe(true);
  });

  it('makes new vectors, saying why, when the model id or profile changes, and keeps the speeches', async () => {
    await index.sync({ embedder: new FakeEmbedder({ modelId: 'model-a' }) });
    const warnings: string[] = [];
    const log = { ...QUIET, warn: (line: string) => warnings.push(line) };
    const other = new CorpusIndex({ corpusDir: workspace.corpusDir, indexDir: workspace.indexDir, log });
    expect((await other.sync({ embedder: new FakeEmbedder({ modelId: 'model-b' }) })).report).toMatchObject({ read: 0, embedded: 26 });
    expect(warnings.join('\n')).toContain('new vectors because the model changed (model-a → model-b)');
    const profile = { ...DEFAULT_EMBEDDING_PROFILE, queryPrefix: 'query: ' };
    expect((await other.sync({ embedder: new FakeEmbedder({ modelId: 'model-b', profile }) })).report).toMatchObject({ embedded: 26 });
    expect((await readIndexManifest(workspace.indexDir))?.vectors).toMatchObject({ modelId: 'model-b', profile });
  });

  it('makes new vectors when the dimension differs, with the real tiny model at two sizes', async () => {
    const small = await createTinyModelLoader(workspace, { dimension: 32 });
    await index.sync({ embedder: await small.load() });
    expect((await readIndexManifest(workspace.indexDir))?.vectors).toMatchObject({ modelId: 'tiny-model', dimension: 32 });
    const large = await createTinyModelLoader(workspace, { dimension: 48 });
    const { report, snapshot } = await index.sync({ embedder: await large.load() });
    expect(report.embedded).toBe(26);
    expect(snapshot.store).toMatchObject({ dimension: 48, size: 26 });
  }, 30_000);

  it('keeps every window of a long passage and returns the passage once, scored by its best window', async () => {
    const embedder = new FakeEmbedder({ windowWords: 40 });
    const { snapshot } = await index.sync({ embedder });
    expect((await readIndexManifest(workspace.indexDir))?.vectors?.rows).toBeGreaterThan(26);
    const long = snapshot.speeches[0]!.paragraphs.find((p) => p.text.split(/\s+/).length > 80)!;
    const hits = await snapshot.store!.query(embedder.embedOne(long.text.split(/\s+/).slice(40, 80).join(' ')), 26);
    expect(hits[0]?.key).toBe(`${SEED}#${long.n}`);
    expect(hits[0]?.score).toBeCloseTo(1, 5);
    expect(new Set(hits.map((hit) => hit.key)).size).toBe(26);
  });

  it('rebuilds from the corpus when the manifest or a segment is corrupt', async () => {
    await index.sync({ embedder: new FakeEmbedder() });
    await writeFile(path.join(workspace.indexDir, 'manifest.json'), '{"formatVersion": 3, "segm');
    const fresh = () => new CorpusIndex({ corpusDir: workspace.corpusDir, indexDir: workspace.indexDir, log: QUIET });
    expect((await fresh().sync({ embedder: new FakeEmbedder() })).report).toMatchObject({ rebuiltBecause: expect.stringMatching(/manifest is corrupt/), read: 1 });
    const [segment] = (await readIndexManifest(workspace.indexDir))!.segments;
    await writeFile(path.join(workspace.indexDir, `${segment!.name}.lex`), 'not postings');
    const { report, snapshot } = await fresh().sync({ embedder: new FakeEmbedder() });
    expect(report.rebuiltBecause).toMatch(/^segment seg-\S+ cannot be read/);
    expect(snapshot.store?.size).toBe(26);
  });

  it('leaves the index untouched when a sync fails part-way', async () => {
    await index.sync({ embedder: new FakeEmbedder() });
    const before = await digests(workspace.indexDir);
    await expect(new CorpusIndex({ corpusDir: workspace.corpusDir, indexDir: workspace.indexDir, batchSize: 4 }).sync({ embedder: failingOn(2, new FakeEmbedder({ modelId: 'other' })) })).rejects.toThrow(
      'embedding failed mid-build',
    );
    const after = await digests(workspace.indexDir);
    expect(after['manifest.json']).toBe(before['manifest.json']);
    for (const [name, digest] of Object.entries(before)) expect(after[name]).toBe(digest);
  });

  it('survives a process killed at any point of a rebuild', async () => {
    await index.sync({ embedder: new FakeEmbedder({ modelId: 'model-a' }) });
    const script = path.join(PROJECT_ROOT, 'tests', 'integration', 'fixtures', 'slow-index-build.ts');
    // Killed after the first embedding, half-way, and after the last one (while the vectors are being written).
    for (const killAt of [1, 13, 26]) {
      const child = spawn(process.execPath, ['--import', 'tsx', script, workspace.corpusDir, workspace.indexDir], { stdio: ['ignore', 'pipe', 'inherit'] });
      const exited = new Promise((resolve) => child.once('exit', resolve));
      await new Promise<void>((resolve) => {
        child.stdout.on('data', (chunk: Buffer) => {
          if (chunk.toString().split('\n').includes(String(killAt))) resolve();
        });
        void exited.then(() => resolve());
      });
      child.kill('SIGKILL');
      await exited;
      // Whatever manifest is live must load in full: the old model's vectors, or the new one's if the kill came late.
      const manifest = await readIndexManifest(workspace.indexDir);
      expect(['model-a', 'model-slow']).toContain(manifest?.vectors?.modelId);
      const { report, snapshot } = await new CorpusIndex({ corpusDir: workspace.corpusDir, indexDir: workspace.indexDir, log: QUIET }).sync({
        embedder: new FakeEmbedder({ modelId: manifest!.vectors!.modelId }),
      });
      expect(report).toMatchObject({ rebuiltBecause: null, embedded: 0 });
      expect(snapshot.store?.size).toBe(26);
    }
  }, 60_000);
});
