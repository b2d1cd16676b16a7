// Opens the service a Config describes. Shared by `npm start` and the CLIs that answer questions.

import type { ModelLoadProgress } from './adapters/transformers-loading.ts';
import type { Config, ModelSource } from './config.ts';
import type { Logger } from './core/logger.ts';
import { embedderLoaderFor, rerankerLoaderFor, synonymsLoaderFor } from './model-loaders.ts';
import { openQaService, type QaService } from './qa-service.ts';
import { retrievalSettingsFor } from './retrieval-stack.ts';

/** Opens the service the configuration describes. */
export function openConfiguredService(
  config: Config,
  options: {
    log: Logger;
    /** A progress display for the files of each model loaded (the embedding model, the cross-encoder). */
    modelProgress?: (source: ModelSource) => (progress: ModelLoadProgress) => void;
    onIndexProgress?: (p: { done: number; total: number }) => void;
    /** Keep a file reader started for uploads (a server with adding enabled). */
    warmExtraction?: boolean;
  },
): Promise<QaService> {
  return openQaService({
    corpusDir: config.corpusDir,
    indexDir: config.indexDir,
    loadEmbedder: embedderLoaderFor(config, { onProgress: options.modelProgress?.(config.model) }),
    loadReranker: rerankerLoaderFor(config, { onProgress: options.modelProgress?.(config.rerankModel) }),
    loadSynonyms: synonymsLoaderFor(config),
    settings: retrievalSettingsFor(config),
    modelRetryMs: config.modelRetrySeconds * 1000,
    log: options.log,
    onIndexProgress: options.onIndexProgress,
    extraction: config.extraction,
    warmExtraction: options.warmExtraction,
    webFetch: { limits: config.webFetch },
  });
}
