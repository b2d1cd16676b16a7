// `npm run index`: builds or refreshes the vector index from `corpus/`, embedding only new or changed paragraphs.

import { createConsoleLogger } from '../adapters/console-logger.ts';
import { loadCorpus } from '../adapters/corpus-folder.ts';
import { syncVectorIndex } from '../adapters/vector-index.ts';
import { loadConfig } from '../config.ts';
import { AppError, toAppError } from '../core/errors.ts';
import { passagesOf } from '../core/passages.ts';
import { embedderLoaderFor } from '../model-loaders.ts';
import { createModelDownloadDisplay, createProgressDisplay } from './progress.ts';

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const log = createConsoleLogger({ prefix: 'index' });
  const loadEmbedder = embedderLoaderFor(config, { onProgress: createModelDownloadDisplay() });
  if (loadEmbedder === null) throw new AppError('config_invalid', 'MODEL_ID: is "none", so there is no vector index to build');
  const started = performance.now();
  const speeches = await loadCorpus(config.corpusDir, { log });
  const embedder = await loadEmbedder();
  const bar = createProgressDisplay('index: embedding paragraphs');
  const { report } = await syncVectorIndex({
    dir: config.indexDir,
    embedder,
    passages: passagesOf(speeches),
    log,
    onProgress: ({ done, total }) => {
      if (total > 0) bar.update(done, total);
    },
  });
  bar.stop();
  const seconds = ((performance.now() - started) / 1000).toFixed(2);
  const action = report.wrote ? 'written' : 'already up to date';
  process.stdout.write(
    `index ${action}: ${speeches.length} speeches, ${report.embedded + report.reused} paragraphs ` +
      `(${report.embedded} embedded, ${report.reused} reused), model ${embedder.modelId}, ${seconds} s\n`,
  );
}

main().catch((error: unknown) => {
  const appError = toAppError(error);
  process.stderr.write(`${appError.code}: ${appError.message}\n`);
  process.exit(1);
});
