// The Embedder backed by @xenova/transformers: loads a sentence-embedding model (from the Hugging Face Hub
// into a project cache, or fully offline from a model folder) and embeds texts with mean pooling + L2 norm.

import { pipeline } from '@xenova/transformers';
import { AppError } from '../core/errors.ts';
import type { Embedder } from '../core/types.ts';
import { describeError, loadPretrained, type ModelSourceOptions } from './transformers-loading.ts';

export { describeProgress, type ModelLoadProgress } from './transformers-loading.ts';

/** Options of {@link loadTransformersEmbedder}: where the model comes from (see {@link ModelSourceOptions}) and batching. */
export interface TransformersEmbedderOptions extends ModelSourceOptions {
  /** Texts per inference call; default 16. */
  batchSize?: number;
}

type Extractor = Awaited<ReturnType<typeof pipeline<'feature-extraction'>>>;

const DEFAULT_BATCH_SIZE = 16;
const PROBE_TEXT = 'dimension probe';

/**
 * Loads a feature-extraction model and returns an {@link Embedder} over it.
 *
 * With `modelDir`, the model is read only from that folder (no network, no cache) and the embedder's
 * `modelId` is `options.modelId` if given, else the folder's name. Otherwise `modelId` is looked up in
 * `cacheDir`, and downloaded into it when `allowRemote` is true.
 *
 * @throws {AppError} `model_unavailable` naming the model and the cause when anything fails to load;
 *   `config_invalid` when neither a model id nor a folder is given, or `batchSize` is not a positive integer.
 */
export async function loadTransformersEmbedder(options: TransformersEmbedderOptions): Promise<Embedder> {
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new AppError('config_invalid', `Embedding batch size must be a positive integer, got ${batchSize}.`);
  }
  const { loaded, modelId } = await loadPretrained(options, {
    role: 'embedding',
    load: async (repoId, pretrained) => {
      const extractor = await pipeline('feature-extraction', repoId, pretrained);
      return { extractor, dimension: await discoverDimension(extractor) };
    },
  });
  return new TransformersEmbedder({ ...loaded, modelId, batchSize });
}

class TransformersEmbedder implements Embedder {
  readonly modelId: string;
  readonly dimension: number;
  private readonly extractor: Extractor;
  private readonly batchSize: number;

  constructor(init: { extractor: Extractor; modelId: string; dimension: number; batchSize: number }) {
    this.extractor = init.extractor;
    this.modelId = init.modelId;
    this.dimension = init.dimension;
    this.batchSize = init.batchSize;
  }

  async embed(texts: readonly string[]): Promise<number[][]> {
    const vectors: number[][] = [];
    for (let start = 0; start < texts.length; start += this.batchSize) {
      const batch = texts.slice(start, start + this.batchSize);
      try {
        vectors.push(...(await embedBatch(this.extractor, batch, this.dimension)));
      } catch (error) {
        throw new AppError('internal', `Embedding with model "${this.modelId}" failed: ${describeError(error)}`, { cause: error });
      }
    }
    return vectors;
  }
}

/** Runs one padded batch through the pipeline and splits the pooled [batch, dimension] tensor into rows. */
async function embedBatch(extractor: Extractor, texts: string[], dimension: number | null): Promise<number[][]> {
  const output = await extractor(texts, { pooling: 'mean', normalize: true });
  const [rows, columns] = output.dims;
  if (output.dims.length !== 2 || rows !== texts.length || columns === undefined || (dimension !== null && columns !== dimension)) {
    throw new Error(`unexpected output shape [${output.dims.join(', ')}] for ${texts.length} texts`);
  }
  const data = output.data as Float32Array;
  const vectors: number[][] = [];
  for (let row = 0; row < rows; row++) {
    const vector = Array.from(data.subarray(row * columns, (row + 1) * columns));
    // An all-zero pooled vector normalises to NaN; better to fail here than to poison an index.
    if (!vector.every(Number.isFinite)) throw new Error(`non-finite vector for text ${row + 1} of the batch`);
    vectors.push(vector);
  }
  return vectors;
}

/** The pooled vector length, cross-checked against `hidden_size` in config.json when it is present. */
async function discoverDimension(extractor: Extractor): Promise<number> {
  const [probe] = await embedBatch(extractor, [PROBE_TEXT], null);
  const dimension = probe?.length ?? 0;
  if (dimension < 1) throw new Error('the model returned an empty vector');
  const hiddenSize: unknown = (extractor.model.config as { hidden_size?: unknown } | undefined)?.hidden_size;
  if (typeof hiddenSize === 'number' && hiddenSize !== dimension) {
    throw new Error(`config.json says hidden_size ${hiddenSize} but the model returns ${dimension}-dimensional vectors`);
  }
  return dimension;
}
