// `npm run index`: builds or refreshes the vector index from `corpus/`, embedding only new or changed paragraphs.
// Goes through the corpus editor, so it takes the corpus lock and first finishes or undoes a crashed writer's change.

import { createConsoleLogger } from '../adapters/console-logger.ts';
import { loadConfig } from '../config.ts';
import { createCorpusEditor } from '../corpus-editor.ts';
import { plural } from '../core/counts.ts';
import { AppError } from '../core/errors.ts';
import { embedderLoaderFor } from '../model-loaders.ts';
import { defineCommand, runCommand } from './command.ts';
import { createModelDownloadDisplay, createProgressDisplay } from './progress.ts';

/** Waits this long for a server or another command that is changing the corpus. */
const LOCK_TIMEOUT_MS = 10 * 60_000;

const INDEX_COMMAND = defineCommand({
  name: 'index',
  summary: 'Builds or refreshes the vector index in index/ from corpus/, embedding only new or changed paragraphs.',
  options: {},
  notes: ['Uses the model of npm start (MODEL_ID, MODEL_DIR, MODEL_CACHE_DIR). npm start does the same by itself when the index is missing or stale.'],
});

runCommand(INDEX_COMMAND, async () => {
  const config = loadConfig(process.env);
  const log = createConsoleLogger({ prefix: 'index' });
  const loadEmbedder = embedderLoaderFor(config, { onProgress: createModelDownloadDisplay(config.model) });
  if (loadEmbedder === null) throw new AppError('config_invalid', 'MODEL_ID: is "none", so there is no vector index to build; unset it to use the model');
  const started = performance.now();
  // The model is loaded (perhaps downloaded) before taking the lock, so other writers are not kept waiting for it.
  const embedder = await loadEmbedder();
  const editor = createCorpusEditor({ corpusDir: config.corpusDir, indexDir: config.indexDir, log, lockTimeoutMs: LOCK_TIMEOUT_MS });
  const bar = createProgressDisplay('index: embedding paragraphs');
  const { speeches, lexical, index } = await editor.refresh({
    embedder,
    onIndexProgress: ({ done, total }) => {
      if (total > 0) bar.update(done, total);
    },
  });
  bar.stop();
  await editor.close();
  const seconds = ((performance.now() - started) / 1000).toFixed(2);
  const action = index.wrote ? 'written' : 'already up to date';
  process.stdout.write(
    `index ${action}: ${plural(speeches.length, 'speech', 'speeches')}, ${plural(lexical.size, 'paragraph', 'paragraphs')} ` +
      `(${index.embedded} embedded, ${lexical.size - index.embedded} reused), model ${embedder.modelId}, ${seconds} s\n`,
  );
});
