// Integration test of the transformers.js cross-encoder reranker against the generated tiny cross-encoder: real
// tokenizer (question/passage pairs), real onnxruntime, no network (the only "hub" is a local socket).

import { access, mkdtemp, readFile, rm } from 'node:fs/promises';
import type net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStandInHub } from './stand-in-hub.ts';
import { LOGIT_BIAS, LOGIT_SCALE, writeTinyCrossEncoder } from '../../scripts/tiny-cross-encoder.ts';
import { writeTinyModel } from '../../scripts/tiny-model.ts';
import { loadTransformersEmbedder } from '../../server/adapters/transformers-embedder.ts';
import type { ModelLoadProgress } from '../../server/adapters/transformers-loading.ts';
import { loadTransformersReranker } from '../../server/adapters/transformers-reranker.ts';
import { AppError } from '../../server/core/errors.ts';
import type { Reranker } from '../../server/core/types.ts';

let tmp = '';
let modelDir = '';
let cacheDir = '';
let reranker: Reranker;

const QUESTION = 'How should migration policy protect the human rights of migrants and refugees?';
const CLOSE = 'Migration policy must protect the human rights of migrants and refugees.';
// Shares two of the question's words (refugees, and).
const PARTIAL = 'Refugees need safe and orderly return.';
// Shares none: the tiny model counts every shared token, "the" and "and" included.
const UNRELATED = 'A big dog ran to my house near a tree by water.';

/** Thirty passages that differ in the words they share with the question and in length. */
const MANY = Array.from({ length: 30 }, (_, i) => [CLOSE, PARTIAL, UNRELATED][i % 3] + ' support'.repeat(i % 7));

/** Runs `load`, expecting an AppError with `code`; returns it with the time it took. */
async function expectAppError(code: string, load: () => Promise<unknown>): Promise<{ error: AppError; ms: number }> {
  const started = performance.now();
  const error = await load().then(
    () => expect.unreachable('the load should have failed'),
    (e: unknown) => e,
  );
  const ms = performance.now() - started;
  expect(error).toBeInstanceOf(AppError);
  expect((error as AppError).code).toBe(code);
  return { error: error as AppError, ms };
}

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'reranker-test-'));
  modelDir = path.join(tmp, 'tiny-cross-encoder');
  cacheDir = path.join(tmp, 'cache');
  await writeTinyCrossEncoder(modelDir);
  reranker = await loadTransformersReranker({ modelDir, cacheDir, allowRemote: false, batchSize: 4 });
});

afterAll(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

describe('writeTinyCrossEncoder', () => {
  it('writes the same bytes for the same seed and a sequence-classification config', async () => {
    const again = path.join(tmp, 'again', 'tiny-cross-encoder');
    const info = await writeTinyCrossEncoder(again);
    expect(info).toMatchObject({ dir: again, dimension: 64 });
    for (const file of ['onnx/model.onnx', 'onnx/model_quantized.onnx', 'tokenizer.json', 'config.json']) {
      const [a, b] = await Promise.all([readFile(path.join(again, file)), readFile(path.join(modelDir, file))]);
      expect(a.equals(b), file).toBe(true);
    }
    const config = JSON.parse(await readFile(path.join(modelDir, 'config.json'), 'utf8')) as Record<string, unknown>;
    expect(config).toMatchObject({ model_type: 'bert', architectures: ['BertForSequenceClassification'], num_labels: 1 });
  });
});

describe('loadTransformersReranker with a model folder', () => {
  it('names the model after its folder, or by the id it is given', async () => {
    expect(reranker.modelId).toBe('tiny-cross-encoder');
    const named = await loadTransformersReranker({ modelId: 'test/tiny-ce', modelDir, cacheDir, allowRemote: false, quantized: false });
    expect(named.modelId).toBe('test/tiny-ce');
    expect(await named.score(QUESTION, [CLOSE])).toEqual(await reranker.score(QUESTION, [CLOSE]));
  });

  it('scores a passage sharing more of the question words higher', async () => {
    const [close, partial, unrelated] = await reranker.score(QUESTION, [CLOSE, PARTIAL, UNRELATED]);
    if (close === undefined || partial === undefined || unrelated === undefined) throw new Error('missing scores');
    expect(close).toBeGreaterThan(partial);
    expect(partial).toBeGreaterThan(unrelated);
    // Raw logits, like ms-marco's: a close match is confidently positive, an unrelated passage negative.
    expect(close).toBeGreaterThan(3);
    expect(unrelated).toBeCloseTo(LOGIT_BIAS, 5);
  });

  it('scores the share of the question found in the passage, whatever the repeats', async () => {
    const [itself, once, thrice, empty] = await reranker.score(QUESTION, [QUESTION, 'rights', 'rights, rights, rights', '']);
    // Not exactly: the question's own [CLS] weighs 0.0001 and is in no passage.
    expect(itself).toBeCloseTo(LOGIT_SCALE + LOGIT_BIAS, 3);
    expect(once).toBeGreaterThan(LOGIT_BIAS);
    expect(thrice).toBeCloseTo(once ?? NaN, 4);
    expect(empty).toBeCloseTo(LOGIT_BIAS, 5);
  });

  it('is deterministic across calls and across loads', async () => {
    // The same batch size: another pads to other lengths, which may move the last bit of a float sum.
    const again = await loadTransformersReranker({ modelDir, cacheDir, allowRemote: false, batchSize: 4 });
    const first = await reranker.score(QUESTION, MANY);
    expect(await reranker.score(QUESTION, MANY)).toEqual(first);
    expect(await again.score(QUESTION, MANY)).toEqual(first);
  });

  it('returns the scores in the order of the passages', async () => {
    const scores = await reranker.score(QUESTION, [UNRELATED, CLOSE, PARTIAL]);
    const reversed = await reranker.score(QUESTION, [PARTIAL, CLOSE, UNRELATED]);
    expect(reversed).toEqual([...scores].reverse());
    expect(scores.indexOf(Math.max(...scores))).toBe(1);
  });

  it('gives the same scores in batches as one by one', async () => {
    const batched = await reranker.score(QUESTION, MANY);
    expect(batched).toHaveLength(30);
    for (const [i, passage] of MANY.entries()) {
      const [single] = await reranker.score(QUESTION, [passage]);
      expect(batched[i]).toBeCloseTo(single ?? NaN, 5);
    }
  });

  it('scores an empty list, and a passage longer than the model takes by its first 512 tokens', async () => {
    expect(await reranker.score(QUESTION, [])).toEqual([]);
    const [long, truncated] = await reranker.score(QUESTION, ['rights '.repeat(600) + CLOSE, 'rights '.repeat(600)]);
    expect(long).toBeGreaterThan(LOGIT_BIAS);
    expect(long).toBeCloseTo(truncated ?? NaN, 4);
  });

  it('loads while the embedding model loads, each with its own folder', async () => {
    const embeddingDir = path.join(tmp, 'tiny-bert');
    await writeTinyModel(embeddingDir);
    const [embedder, other] = await Promise.all([
      loadTransformersEmbedder({ modelDir: embeddingDir, cacheDir, allowRemote: false }),
      loadTransformersReranker({ modelDir, cacheDir, allowRemote: false }),
    ]);
    expect(embedder.modelId).toBe('tiny-bert');
    expect(await other.score(QUESTION, [CLOSE])).toEqual(await reranker.score(QUESTION, [CLOSE]));
  });
});

describe('loadTransformersReranker downloading', () => {
  it('downloads into the cache with progress, then loads from the cache offline', async () => {
    const hub = await startStandInHub({ repoId: 'test/tiny-ce', modelDir });
    const served = hub.served;
    try {
      const downloadCache = path.join(tmp, 'download-cache');
      const progress: ModelLoadProgress[] = [];
      const downloaded = await loadTransformersReranker({
        modelId: 'test/tiny-ce',
        cacheDir: downloadCache,
        allowRemote: true,
        remoteHost: hub.url,
        onProgress: (p) => progress.push(p),
      });
      expect(downloaded.modelId).toBe('test/tiny-ce');
      expect(progress.some((p) => p.file === 'onnx/model_quantized.onnx' && p.status === 'done')).toBe(true);
      await access(path.join(downloadCache, 'test', 'tiny-ce', 'onnx', 'model_quantized.onnx'));

      served.length = 0;
      const cached = await loadTransformersReranker({ modelId: 'test/tiny-ce', cacheDir: downloadCache, allowRemote: false });
      expect(served).toEqual([]);
      expect(await cached.score(QUESTION, [CLOSE, UNRELATED])).toEqual(await reranker.score(QUESTION, [CLOSE, UNRELATED]));
    } finally {
      await hub.close();
    }
  });
});

describe('loadTransformersReranker failures', () => {
  it('rejects a missing model folder quickly', async () => {
    const { error, ms } = await expectAppError('model_unavailable', () =>
      loadTransformersReranker({ modelDir: path.join(tmp, 'no-such-model'), cacheDir, allowRemote: false }),
    );
    expect(error.message).toMatch(/^Reranking model "no-such-model"/);
    expect(ms).toBeLessThan(2000);
  });

  it('rejects a model id missing from the cache when downloads are disabled', async () => {
    const { error, ms } = await expectAppError('model_unavailable', () =>
      loadTransformersReranker({ modelId: 'Xenova/ms-marco-MiniLM-L-6-v2', cacheDir, allowRemote: false }),
    );
    expect(error.message).toContain('Xenova/ms-marco-MiniLM-L-6-v2');
    expect(error.message).toContain('downloads disabled');
    expect(ms).toBeLessThan(2000);
  });

  it('refuses a model that is not a single-logit cross-encoder', async () => {
    const embeddingDir = path.join(tmp, 'not-a-cross-encoder');
    await writeTinyModel(embeddingDir);
    const { error } = await expectAppError('model_unavailable', () =>
      loadTransformersReranker({ modelDir: embeddingDir, cacheDir, allowRemote: false }),
    );
    expect(error.message).toContain('logits');
  });

  it('rejects a bad batch size and a missing model id as configuration errors', async () => {
    await expectAppError('config_invalid', () => loadTransformersReranker({ modelDir, cacheDir, allowRemote: false, batchSize: 0 }));
    await expectAppError('config_invalid', () => loadTransformersReranker({ cacheDir, allowRemote: false }));
  });
});
