// The model and synonym loaders a Config asks for. Shared by `npm start`, the service and the CLIs.

import type { ModelLoadProgress, ModelSourceOptions } from './adapters/transformers-loading.ts';
import { loadWordNetSynonyms } from './adapters/wordnet-synonyms.ts';
import type { Config, ModelSource } from './config.ts';
import type { Embedder, Reranker, SynonymLookup } from './core/types.ts';

/** The loading options for a configured model source, or null when it is turned off. */
function sourceOptions(
  config: Config,
  source: ModelSource,
  onProgress: ((progress: ModelLoadProgress) => void) | undefined,
): ModelSourceOptions | null {
  if (source.kind === 'none') return null;
  return {
    modelId: source.kind === 'hub' ? source.id : (source.id ?? undefined),
    modelDir: source.kind === 'folder' ? source.dir : null,
    cacheDir: config.modelCacheDir,
    allowRemote: config.allowRemoteModels,
    quantized: config.modelQuantized,
    onProgress,
  };
}

/** The embedding model loader the configuration asks for, or null for keyword retrieval only. */
export function embedderLoaderFor(
  config: Config,
  options: { onProgress?: (progress: ModelLoadProgress) => void } = {},
): (() => Promise<Embedder>) | null {
  const source = sourceOptions(config, config.model, options.onProgress);
  // The model library is loaded with the model, not at start: answering with keywords need not wait for it.
  return source === null ? null : async () => (await import('./adapters/transformers-embedder.ts')).loadTransformersEmbedder(source);
}

/** The cross-encoder loader the configuration asks for, or null for no reranking. */
export function rerankerLoaderFor(
  config: Config,
  options: { onProgress?: (progress: ModelLoadProgress) => void } = {},
): (() => Promise<Reranker>) | null {
  const source = sourceOptions(config, config.rerankModel, options.onProgress);
  return source === null ? null : async () => (await import('./adapters/transformers-reranker.ts')).loadTransformersReranker(source);
}

/** The synonym loader for query expansion, or null when it is turned off. */
export function synonymsLoaderFor(config: Config): (() => Promise<SynonymLookup>) | null {
  return config.queryExpansion ? () => loadWordNetSynonyms() : null;
}
