// Unit tests of the embedder wrapper: the before hook and its kinds, error mapping, and what passes through unchanged.

import { describe, expect, it } from 'vitest';
import { wrapEmbedder } from '../../server/core/embedder-wrapper.ts';
import { DEFAULT_EMBEDDING_PROFILE, embeddingProfileFor } from '../../server/core/model-profiles.ts';
import type { Embedder } from '../../server/core/types.ts';
import { FakeEmbedder } from './fakes.ts';

/** An embedder whose every call fails with `error`. */
function failing(error: unknown): Embedder {
  const fail = async (): Promise<never> => Promise.reject(error);
  return { modelId: 'broken', dimension: 2, profile: DEFAULT_EMBEDDING_PROFILE, embedQueries: fail, embedPassages: fail };
}

describe('wrapEmbedder', () => {
  it('keeps the inner model id, dimension and profile', () => {
    const { profile } = embeddingProfileFor('Xenova/e5-small-v2');
    const inner = new FakeEmbedder({ modelId: 'Xenova/e5-small-v2', dimension: 32, profile });
    const wrapped = wrapEmbedder(inner, {});
    expect({ modelId: wrapped.modelId, dimension: wrapped.dimension, profile: wrapped.profile }).toEqual({ modelId: 'Xenova/e5-small-v2', dimension: 32, profile });
  });

  it('returns what the inner embedder returns, queries and passages alike', async () => {
    const inner = new FakeEmbedder({ windowWords: 2 });
    const wrapped = wrapEmbedder(inner, { before: () => undefined });
    expect(await wrapped.embedQueries(['forced labour', 'children'])).toEqual([inner.embedOne('forced labour'), inner.embedOne('children')]);
    expect(await wrapped.embedPassages(['forced labour of children'])).toEqual([[inner.embedOne('forced labour'), inner.embedOne('of children')]]);
  });

  it('runs the before hook with the texts and their kind, before the inner call', async () => {
    const inner = new FakeEmbedder();
    const events: string[] = [];
    const wrapped = wrapEmbedder(inner, {
      before: async (texts, kind) => {
        events.push(`${kind}: ${texts.join('|')} (inner calls so far: ${inner.calls.length})`);
      },
    });
    await wrapped.embedQueries(['q1', 'q2']);
    await wrapped.embedPassages(['p1']);
    expect(events).toEqual(['query: q1|q2 (inner calls so far: 0)', 'passage: p1 (inner calls so far: 1)']);
    expect(inner.calls).toEqual([['q1', 'q2'], ['p1']]);
  });

  it('fails the call, without calling the inner embedder, when the before hook throws', async () => {
    const inner = new FakeEmbedder();
    const wrapped = wrapEmbedder(inner, {
      before: (_texts, kind) => {
        if (kind === 'passage') throw new Error('too many passages');
      },
    });
    await expect(wrapped.embedPassages(['p'])).rejects.toThrow('too many passages');
    expect(inner.calls).toEqual([]);
    await expect(wrapped.embedQueries(['q'])).resolves.toHaveLength(1);
  });

  it('turns a failure of the inner embedder into the error mapError returns', async () => {
    const original = new Error('onnx session lost');
    const wrapped = wrapEmbedder(failing(original), { mapError: (error) => new Error('model_unavailable', { cause: error }) });
    for (const call of [() => wrapped.embedQueries(['q']), () => wrapped.embedPassages(['p'])]) {
      const error = await call().then(() => null, (reason: unknown) => reason);
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).message).toBe('model_unavailable');
      expect((error as Error).cause).toBe(original);
    }
  });

  it('maps a failure of the before hook too', async () => {
    const wrapped = wrapEmbedder(new FakeEmbedder(), {
      before: () => Promise.reject(new Error('busy')),
      mapError: (error) => new Error(`mapped: ${(error as Error).message}`),
    });
    await expect(wrapped.embedQueries(['q'])).rejects.toThrow('mapped: busy');
  });

  it('rethrows the inner failure unchanged without mapError', async () => {
    const original = new Error('onnx session lost');
    await expect(wrapEmbedder(failing(original), {}).embedQueries(['q'])).rejects.toBe(original);
  });
});
