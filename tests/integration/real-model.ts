// The real default embedding model for tests, read from the project's model cache (`npm run model:fetch` fills
// it; .ci/run does so before the tests). Without it, tests that need it are skipped with one line saying why,
// except under CI=true, where its absence is a failure.

import path from 'node:path';
import { modelFilesSize, modelFolderIn } from '../../server/adapters/model-fetch.ts';
import { loadTransformersEmbedder } from '../../server/adapters/transformers-embedder.ts';
import { DEFAULTS, PROJECT_ROOT } from '../../server/config.ts';
import type { Embedder } from '../../server/core/types.ts';

/** The model the product uses by default, which the real-model tests measure. */
export const REAL_MODEL_ID: string = DEFAULTS.MODEL_ID;

const CACHE_DIR = path.join(PROJECT_ROOT, DEFAULTS.MODEL_CACHE_DIR);

/**
 * Whether the real model is in the cache. When it is not, prints one line saying why the tests that need it are
 * skipped, or, under CI=true, throws so that the run fails.
 */
export async function realModelAvailable(): Promise<boolean> {
  const folder = modelFolderIn(CACHE_DIR, REAL_MODEL_ID);
  if ((await modelFilesSize(folder)) !== null) return true;
  const reason = `the real model ${REAL_MODEL_ID} is not in ${path.relative(PROJECT_ROOT, folder)}; run \`npm run model:fetch\` to test with it`;
  if (process.env.CI === 'true') throw new Error(`CI=true and ${reason}`);
  console.warn(`skipping the real-model tests: ${reason}`);
  return false;
}

/** Loads the real model from the cache, offline. */
export function loadRealModel(): Promise<Embedder> {
  return loadTransformersEmbedder({ modelId: REAL_MODEL_ID, cacheDir: CACHE_DIR, allowRemote: false });
}
