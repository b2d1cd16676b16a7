// Wraps an Embedder to act before each call or to translate its failures, without restating its interface.

import type { Embedder } from './types.ts';

/** What a wrapper adds around the calls of an {@link Embedder}. */
export interface EmbedderHooks {
  /** Runs before every call with the texts about to be embedded; throwing fails the call. */
  before?(texts: readonly string[], kind: 'query' | 'passage'): void | Promise<void>;
  /** Runs after every call that succeeded; throwing fails the call. */
  after?(): void;
  /** Turns a failure of the call into the error thrown instead. */
  mapError?(error: unknown): unknown;
}

/** `inner` with `hooks` around each of its calls; id, dimension and profile stay those of `inner`. */
export function wrapEmbedder(inner: Embedder, hooks: EmbedderHooks): Embedder {
  const around = async <T>(texts: readonly string[], kind: 'query' | 'passage', run: () => Promise<T>): Promise<T> => {
    try {
      await hooks.before?.(texts, kind);
      const result = await run();
      hooks.after?.();
      return result;
    } catch (error) {
      throw hooks.mapError === undefined ? error : hooks.mapError(error);
    }
  };
  return {
    modelId: inner.modelId,
    dimension: inner.dimension,
    profile: inner.profile,
    embedQueries: (texts) => around(texts, 'query', () => inner.embedQueries(texts)),
    embedPassages: (texts) => around(texts, 'passage', () => inner.embedPassages(texts)),
  };
}
