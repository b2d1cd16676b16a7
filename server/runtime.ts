// Builds the running pieces from a Config: the model loader and the service. Shared by `npm start` and the CLIs.

import { loadTransformersEmbedder, type ModelLoadProgress } from './adapters/transformers-embedder.ts';
import type { Config } from './config.ts';
import type { Logger } from './core/logger.ts';
import type { Embedder } from './core/types.ts';
import { openQaService, type QaService } from './qa-service.ts';

/** The model loader the configuration asks for, or null for keyword retrieval only. */
export function embedderLoaderFor(
  config: Config,
  options: { onProgress?: (progress: ModelLoadProgress) => void } = {},
): (() => Promise<Embedder>) | null {
  const { model } = config;
  if (model.kind === 'none') return null;
  return () =>
    loadTransformersEmbedder({
      modelId: model.kind === 'hub' ? model.id : (model.id ?? undefined),
      modelDir: model.kind === 'folder' ? model.dir : null,
      cacheDir: config.modelCacheDir,
      allowRemote: config.allowRemoteModels,
      quantized: config.modelQuantized,
      onProgress: options.onProgress,
    });
}

/** Opens the service the configuration describes. */
export function openConfiguredService(
  config: Config,
  options: { log: Logger; onModelProgress?: (progress: ModelLoadProgress) => void; onIndexProgress?: (p: { done: number; total: number }) => void },
): Promise<QaService> {
  return openQaService({
    corpusDir: config.corpusDir,
    indexDir: config.indexDir,
    loadEmbedder: embedderLoaderFor(config, { onProgress: options.onModelProgress }),
    retrieval: { minDenseScore: config.denseMinScore },
    modelRetryMs: config.modelRetrySeconds * 1000,
    log: options.log,
    onIndexProgress: options.onIndexProgress,
  });
}
