// Integration test of the transformers.js embedder against the generated tiny model: real tokenizer,
// real onnxruntime, no network (remote hosts used here are local sockets, never the Hugging Face Hub).

import { access, mkdtemp, readFile, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStandInHub } from './stand-in-hub.ts';
import { writeTinyModel } from '../../scripts/tiny-model.ts';
import { loadTransformersEmbedder, type ModelLoadProgress } from '../../server/adapters/transformers-embedder.ts';
import { AppError } from '../../server/core/errors.ts';
import type { Embedder } from '../../server/core/types.ts';
import { closedPort } from './closed-port.ts';

let tmp = '';
let modelDir = '';
let cacheDir = '';
let embedder: Embedder;

const dot = (a: readonly number[], b: readonly number[]): number => a.reduce((sum, x, i) => sum + x * (b[i] ?? 0), 0);

/** Runs `load`, expecting a `model_unavailable` AppError; returns it with the time it took. */
async function expectModelUnavailable(load: () => Promise<unknown>): Promise<{ error: AppError; ms: number }> {
  const started = performance.now();
  const error = await load().then(
    () => expect.unreachable('the load should have failed'),
    (e: unknown) => e,
  );
  const ms = performance.now() - started;
  expect(error).toBeInstanceOf(AppError);
  expect((error as AppError).code).toBe('model_unavailable');
  return { error: error as AppError, ms };
}

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'embedder-test-'));
  modelDir = path.join(tmp, 'tiny-bert');
  cacheDir = path.join(tmp, 'cache');
  await writeTinyModel(modelDir);
  embedder = await loadTransformersEmbedder({ modelDir, cacheDir, allowRemote: false, batchSize: 16 });
});

afterAll(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

describe('writeTinyModel', () => {
  it('writes the same bytes for the same seed', async () => {
    const again = path.join(tmp, 'again', 'tiny-bert');
    const info = await writeTinyModel(again);
    expect(info).toMatchObject({ dimension: 64 });
    for (const file of ['onnx/model.onnx', 'onnx/model_quantized.onnx', 'tokenizer.json', 'config.json']) {
      const [a, b] = await Promise.all([readFile(path.join(again, file)), readFile(path.join(modelDir, file))]);
      // Buffer.equals, not toEqual: a deep comparison of 170 kB byte by byte takes seconds.
      expect(a.equals(b), file).toBe(true);
    }
  });
});

describe('loadTransformersEmbedder with a model folder', () => {
  it('discovers the dimension and names the model after its folder', () => {
    expect(embedder.dimension).toBe(64);
    expect(embedder.modelId).toBe('tiny-bert');
  });

  it('returns unit vectors of the model dimension', async () => {
    const vectors = await embedder.embedQueries(['Migration is a global issue.', 'héllo wörld', '']);
    expect(vectors).toHaveLength(3);
    for (const vector of vectors) {
      expect(vector).toHaveLength(64);
      expect(Math.sqrt(dot(vector, vector))).toBeCloseTo(1, 5);
    }
  });

  it('is deterministic across calls', async () => {
    const texts = ['The safe return of migrants', 'Climate and displacement'];
    expect(await embedder.embedQueries(texts)).toEqual(await embedder.embedQueries(texts));
  });

  it('ranks a sentence sharing most words above an unrelated one', async () => {
    const [query, paraphrase, unrelated] = await embedder.embedQueries([
      'Migration policy must protect the human rights of migrants and refugees.',
      'The human rights of refugees and migrants must guide migration policy.',
      'The farm had a horse, a dog and a big red tree near the river.',
    ]);
    if (!query || !paraphrase || !unrelated) throw new Error('missing vectors');
    expect(dot(query, paraphrase)).toBeGreaterThan(0.8);
    expect(dot(query, paraphrase)).toBeGreaterThan(dot(query, unrelated) + 0.3);
  });

  it('batches without changing results or order', async () => {
    const texts = Array.from({ length: 40 }, (_, i) => `Speech ${i}: ${'support for migrants '.repeat((i % 5) + 1)}in ${2000 + i}`);
    const batched = await embedder.embedQueries(texts);
    expect(batched).toHaveLength(40);
    for (const [i, text] of texts.entries()) {
      const [single] = await embedder.embedQueries([text]);
      const row = batched[i];
      if (!single || !row) throw new Error(`missing vector ${i}`);
      row.forEach((x, j) => expect(x).toBeCloseTo(single[j] ?? NaN, 6));
    }
  });

  it('embeds an empty list as an empty list', async () => {
    expect(await embedder.embedQueries([])).toEqual([]);
  });

  it('loads the non-quantized file too and reports an explicit model id', async () => {
    const other = await loadTransformersEmbedder({ modelId: 'test/tiny', modelDir, cacheDir, allowRemote: false, quantized: false });
    expect(other.modelId).toBe('test/tiny');
    expect(await other.embedQueries(['hello'])).toEqual(await embedder.embedQueries(['hello']));
  });
});

describe('loadTransformersEmbedder downloading', () => {
  it('downloads into the cache with progress, then loads from the cache offline', async () => {
    const hub = await startStandInHub({ repoId: 'test/tiny', modelDir });
    const served = hub.served;
    try {
      const downloadCache = path.join(tmp, 'download-cache');
      const progress: ModelLoadProgress[] = [];
      const downloaded = await loadTransformersEmbedder({
        modelId: 'test/tiny',
        cacheDir: downloadCache,
        allowRemote: true,
        remoteHost: hub.url,
        onProgress: (p) => progress.push(p),
      });
      expect(downloaded.modelId).toBe('test/tiny');
      expect(served).toContain('onnx/model_quantized.onnx');
      const onnxDone = progress.find((p) => p.file === 'onnx/model_quantized.onnx' && p.status === 'done');
      expect(onnxDone?.total).toBeGreaterThan(100_000);
      await access(path.join(downloadCache, 'test', 'tiny', 'onnx', 'model_quantized.onnx'));

      served.length = 0;
      const cached = await loadTransformersEmbedder({ modelId: 'test/tiny', cacheDir: downloadCache, allowRemote: false });
      expect(served).toEqual([]);
      expect(await cached.embedQueries(['safe and orderly migration'])).toEqual(await embedder.embedQueries(['safe and orderly migration']));
    } finally {
      await hub.close();
    }
  });
});

describe('loadTransformersEmbedder failures', () => {
  it('rejects a missing model folder quickly', async () => {
    const { error, ms } = await expectModelUnavailable(() =>
      loadTransformersEmbedder({ modelDir: path.join(tmp, 'no-such-model'), cacheDir, allowRemote: false }),
    );
    expect(error.message).toContain('no-such-model');
    expect(ms).toBeLessThan(2000);
  });

  it('rejects a model id missing from the cache when downloads are disabled', async () => {
    const { error, ms } = await expectModelUnavailable(() =>
      loadTransformersEmbedder({ modelId: 'nobody/no-such-model', cacheDir, allowRemote: false }),
    );
    expect(error.message).toContain('nobody/no-such-model');
    expect(ms).toBeLessThan(2000);
  });

  it('fails fast when the remote host refuses connections', async () => {
    const remoteHost = `http://127.0.0.1:${await closedPort()}/`;
    const { error, ms } = await expectModelUnavailable(() =>
      loadTransformersEmbedder({ modelId: 'nobody/no-such-model', cacheDir, allowRemote: true, remoteHost }),
    );
    expect(error.message).toContain('fetch failed');
    expect(ms).toBeLessThan(2000);
  });

  it('gives up on a remote host that accepts connections but never answers', async () => {
    const sockets = new Set<net.Socket>();
    const server = net.createServer((socket) => void sockets.add(socket));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as net.AddressInfo;
      const { error, ms } = await expectModelUnavailable(() =>
        loadTransformersEmbedder({
          modelId: 'nobody/no-such-model',
          cacheDir,
          allowRemote: true,
          remoteHost: `http://127.0.0.1:${port}/`,
          stallTimeoutMs: 300,
        }),
      );
      expect(error.message).toContain('no data received');
      expect(ms).toBeLessThan(2000);
    } finally {
      for (const socket of sockets) socket.destroy();
      server.close();
    }
  });
});
