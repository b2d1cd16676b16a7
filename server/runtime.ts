// Opens the service a Config describes. Shared by `npm start` and the CLIs that answer questions.

import type { ModelLoadProgress } from './adapters/transformers-loading.ts';
import type { Config } from './config.ts';
import type { Logger } from './core/logger.ts';
import { embedderLoaderFor, rerankerLoaderFor, synonymsLoaderFor } from './model-loaders.ts';
import { openQaService, type QaService } from './qa-service.ts';

/** Opens the service the configuration describes. */
export function openConfiguredService(
  config: Config,
  options: {
    log: Logger;
    onModelProgress?: (progress: ModelLoadProgress) => void;
    onIndexProgress?: (p: { done: number; total: number }) => void;
    /** Keep a file reader started for uploads (a server with adding enabled). */
    warmExtraction?: boolean;
  },
): Promise<QaService> {
  return openQaService({
    corpusDir: config.corpusDir,
    indexDir: config.indexDir,
    loadEmbedder: embedderLoaderFor(config, { onProgress: options.onModelProgress }),
    loadReranker: rerankerLoaderFor(config, { onProgress: options.onModelProgress }),
    loadSynonyms: synonymsLoaderFor(config),
    retrieval: { minDenseScore: config.denseMinScore },
    modelRetryMs: config.modelRetrySeconds * 1000,
    log: options.log,
    onIndexProgress: options.onIndexProgress,
    extraction: config.extraction,
    warmExtraction: options.warmExtraction,
  });
}
