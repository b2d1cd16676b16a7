// The on-disk vector index: incremental refresh, rebuilds on mismatch or corruption, and safety of interrupted writes.

import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadCorpus } from '../../server/adapters/corpus-folder.ts';
import { INDEX_FORMAT_VERSION, readIndexManifest, syncVectorIndex } from '../../server/adapters/vector-index.ts';
import { PROJECT_ROOT } from '../../server/config.ts';
import { wrapEmbedder } from '../../server/core/embedder-wrapper.ts';
import { DEFAULT_EMBEDDING_PROFILE } from '../../server/core/model-profiles.ts';
import type { Embedder, Passage } from '../../server/core/types.ts';
import { passagesOf } from '../../server/qa-service.ts';
import { FakeEmbedder } from '../unit/fakes.ts';
import { createTinyModelLoader, createWorkspace, type Workspace } from './workspace.ts';

let workspace: Workspace;
let passages: Passage[];

beforeEach(async () => {
  workspace = await createWorkspace();
  passages = passagesOf(await loadCorpus(workspace.corpusDir));
});
afterEach(async () => {
  await workspace.remove();
});

/** A digest of every file under the index folder, to tell whether anything on disk changed. */
async function snapshot(dir: string): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  for (const entry of await readdir(dir, { recursive: true })) {
    const file = path.join(dir, entry);
    if ((await stat(file)).isFile()) files[entry] = createHash('sha256').update(await readFile(file)).digest('hex');
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

describe('vector index', () => {
  it('records its format version, model id and dimension, and serves nearest neighbours', async () => {
    const embedder = new FakeEmbedder();
    const { store, report } = await syncVectorIndex({ dir: workspace.indexDir, embedder, passages });
    expect(report).toMatchObject({ rebuiltBecause: 'no index yet', embedded: passages.length, reused: 0, wrote: true });
    expect(await readIndexManifest(workspace.indexDir)).toMatchObject({ formatVersion: INDEX_FORMAT_VERSION, modelId: embedder.modelId, dimension: 64, profile: embedder.profile, passages: 26, vectors: 26 });
    const target = passages[21]!;
    const [hit] = await store.query((await embedder.embedQueries([target.text]))[0]!, 1);
    expect(hit?.key).toBe(target.key);
    expect(hit?.score).toBeCloseTo(1, 5);
  });

  it('writes nothing when the corpus and model are unchanged, and embeds only changed paragraphs', async () => {
    await syncVectorIndex({ dir: workspace.indexDir, embedder: new FakeEmbedder(), passages });
    const before = await snapshot(workspace.indexDir);
    const again = await syncVectorIndex({ dir: workspace.indexDir, embedder: new FakeEmbedder(), passages });
    expect(again.report).toEqual({ rebuiltBecause: null, embedded: 0, reused: 26, wrote: false });
    expect(await snapshot(workspace.indexDir)).toEqual(before);

    const embedder = new FakeEmbedder();
    const edited = passages.map((p, i) => (i === 4 ? { ...p, text: `${p.text} An added sentence.` } : p));
    const refreshed = await syncVectorIndex({ dir: workspace.indexDir, embedder, passages: edited });
    expect(refreshed.report).toMatchObject({ rebuiltBecause: null, embedded: 1, reused: 25, wrote: true });
    expect(embedder.calls.flat()).toEqual([edited[4]!.text]);
  });

  it('rebuilds, saying why, when the model id differs', async () => {
    await syncVectorIndex({ dir: workspace.indexDir, embedder: new FakeEmbedder({ modelId: 'model-a' }), passages });
    const warnings: string[] = [];
    const log = { info: () => {}, error: () => {}, warn: (line: string) => warnings.push(line) };
    const { report } = await syncVectorIndex({ dir: workspace.indexDir, embedder: new FakeEmbedder({ modelId: 'model-b' }), passages, log });
    expect(report.rebuiltBecause).toContain('model-a');
    expect(report.embedded).toBe(26);
    expect(warnings.join('\n')).toContain('rebuilding from corpus because the index was built with model model-a, now model-b');
    expect(await readIndexManifest(workspace.indexDir)).toMatchObject({ modelId: 'model-b' });
  });

  it('rebuilds, saying why, when the model profile changes under the same id', async () => {
    await syncVectorIndex({ dir: workspace.indexDir, embedder: new FakeEmbedder(), passages });
    const changed = new FakeEmbedder({ profile: { ...DEFAULT_EMBEDDING_PROFILE, queryPrefix: 'query: ', passagePrefix: 'passage: ' } });
    const { report } = await syncVectorIndex({ dir: workspace.indexDir, embedder: changed, passages });
    expect(report.rebuiltBecause).toMatch(/^the model's profile changed/);
    expect(report.embedded).toBe(26);
    expect(await readIndexManifest(workspace.indexDir)).toMatchObject({ profile: changed.profile });
  });

  it('keeps every window of a long passage, reuses them, and returns the passage once, scored by its best window', async () => {
    const embedder = new FakeEmbedder({ windowWords: 40 });
    const long = passages.filter((p) => p.text.split(/\s+/).length > 40);
    expect(long.length).toBeGreaterThan(0);
    const { store } = await syncVectorIndex({ dir: workspace.indexDir, embedder, passages });
    const manifest = await readIndexManifest(workspace.indexDir);
    expect(manifest?.vectors).toBeGreaterThan(manifest?.passages ?? Infinity);
    const again = await syncVectorIndex({ dir: workspace.indexDir, embedder, passages: passages.map((p) => ({ ...p })) });
    expect(again.report).toMatchObject({ embedded: 0, wrote: false });

    const target = long[0]!;
    const tail = target.text.split(/\s+/).slice(40, 80).join(' ');
    const hits = await store.query(embedder.embedOne(tail), passages.length);
    expect(hits[0]?.key).toBe(target.key);
    expect(hits[0]?.score).toBeCloseTo(1, 5);
    expect(new Set(hits.map((hit) => hit.key)).size).toBe(hits.length);
    expect(hits).toHaveLength(passages.length);
  });

  it('rebuilds when the dimension differs, with the real tiny model at two sizes', async () => {
    const small = await createTinyModelLoader(workspace, { dimension: 32 });
    await syncVectorIndex({ dir: workspace.indexDir, embedder: await small.load(), passages });
    expect(await readIndexManifest(workspace.indexDir)).toMatchObject({ modelId: 'tiny-model', dimension: 32 });
    const large = await createTinyModelLoader(workspace, { dimension: 48 });
    const { report } = await syncVectorIndex({ dir: workspace.indexDir, embedder: await large.load(), passages });
    expect(report.rebuiltBecause).toBe('the index holds 32-dimensional vectors, the model gives 48');
    expect(await readIndexManifest(workspace.indexDir)).toMatchObject({ dimension: 48, passages: 26 });
  }, 30_000);

  it('rebuilds a corrupt manifest or corrupt index data', async () => {
    await syncVectorIndex({ dir: workspace.indexDir, embedder: new FakeEmbedder(), passages });
    await writeFile(path.join(workspace.indexDir, 'manifest.json'), '{"formatVersion": 1, "model');
    expect((await syncVectorIndex({ dir: workspace.indexDir, embedder: new FakeEmbedder(), passages })).report.rebuiltBecause).toMatch(/manifest is corrupt/);

    const manifest = await readIndexManifest(workspace.indexDir);
    await writeFile(path.join(workspace.indexDir, manifest!.generation, 'index.json'), '{"version":1,"items":[{"id":');
    const { report, store } = await syncVectorIndex({ dir: workspace.indexDir, embedder: new FakeEmbedder(), passages });
    expect(report.rebuiltBecause).toMatch(/index data is unreadable/);
    expect(store.size).toBe(26);
  });

  it('leaves the index untouched when a refresh fails part-way', async () => {
    await syncVectorIndex({ dir: workspace.indexDir, embedder: new FakeEmbedder(), passages });
    const before = await snapshot(workspace.indexDir);
    const edited = passages.map((p) => ({ ...p, text: `${p.text} (revised)` }));
    await expect(
      syncVectorIndex({ dir: workspace.indexDir, embedder: failingOn(2, new FakeEmbedder()), passages: edited, batchSize: 4 }),
    ).rejects.toThrow('embedding failed mid-build');
    expect(await snapshot(workspace.indexDir)).toEqual(before);
  });

  it('survives a process killed at any point of a rebuild', async () => {
    await syncVectorIndex({ dir: workspace.indexDir, embedder: new FakeEmbedder({ modelId: 'model-a' }), passages });
    const script = path.join(PROJECT_ROOT, 'tests', 'integration', 'fixtures', 'slow-index-build.ts');
    // Killed after the first embedding, half-way, and after the last one (while the generation is being written).
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
      // Whatever generation is live must load in full: the old model's, or the new one's if the kill came late.
      const manifest = await readIndexManifest(workspace.indexDir);
      expect(['model-a', 'model-slow']).toContain(manifest?.modelId);
      const { report, store } = await syncVectorIndex({
        dir: workspace.indexDir,
        embedder: new FakeEmbedder({ modelId: manifest!.modelId }),
        passages,
        log: { info: () => {}, warn: () => {}, error: () => {} },
      });
      expect(report.rebuiltBecause).toBeNull();
      expect(store.size).toBe(26);
    }
  }, 60_000);
});
