// The Embedder backed by @xenova/transformers: loads a sentence-embedding model (from the Hugging Face Hub into a
// project cache, or fully offline from a model folder) and embeds as its profile says, long passages in windows.

import { pipeline, Tensor } from '@xenova/transformers';
import { AppError } from '../core/errors.ts';
import { embeddingProfileFor, tokenWindows, type EmbeddingProfile } from '../core/model-profiles.ts';
import type { Embedder } from '../core/types.ts';
import { describeError, loadPretrained, type ModelSourceOptions } from './transformers-loading.ts';

export { describeProgress, type ModelLoadProgress } from './transformers-loading.ts';

/** Options of {@link loadTransformersEmbedder}: where the model comes from (see {@link ModelSourceOptions}) and batching. */
export interface TransformersEmbedderOptions extends ModelSourceOptions {
  /** Token sequences per inference call; default 16. */
  batchSize?: number;
  /** Replaces the profile looked up by model id (pooling, prefixes, token limit). */
  profile?: EmbeddingProfile;
}

/** The parts of a transformers.js feature-extraction pipeline this adapter drives itself. */
interface ModelParts {
  tokenizer: TokenizerCall & { model_max_length?: number };
  model: ((inputs: Record<string, Tensor>) => Promise<Record<string, Tensor | undefined>>) & { config?: { hidden_size?: unknown } };
}
type TokenizerCall = (text: string | string[], options: { add_special_tokens: boolean; return_tensor: false }) => { input_ids: number[] | number[][] };

/** One token sequence ready for the model: special tokens, prefix and (part of) a text. */
type Sequence = number[];

/**
 * Sequences per model run. 4-8 build 5-15% faster with bge-small on 2 cores, but the quantized models quantize
 * activations per run, so a vector depends a little on its batch: at 8, one question of each measured set moved out
 * of place. 16 is the size the thresholds and floors were measured with.
 */
const DEFAULT_BATCH_SIZE = 16;
const PROBE_TEXT = 'dimension probe';

/**
 * Loads a feature-extraction model and returns an {@link Embedder} over it, using the profile known for its id
 * (see core/model-profiles.ts) or, for an unknown model, mean pooling within its tokenizer's limit.
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
      const parts = { tokenizer: extractor.tokenizer, model: extractor.model } as unknown as ModelParts;
      const profile = options.profile ?? embeddingProfileFor(options.modelId ?? repoId, { tokenizerLimit: parts.tokenizer.model_max_length }).profile;
      const embedder = new TransformersEmbedder({ parts, modelId: options.modelId ?? repoId, profile, batchSize });
      await embedder.discoverDimension();
      return embedder;
    },
  });
  // The id reported (a folder's name, or MODEL_ID) may differ from the id the files were found under.
  return loaded.modelId === modelId ? loaded : loaded.renamed(modelId);
}

class TransformersEmbedder implements Embedder {
  readonly modelId: string;
  readonly profile: EmbeddingProfile;
  dimension = 0;
  readonly #parts: ModelParts;
  readonly #batchSize: number;
  /** `[CLS]`-like tokens before a text and `[SEP]`-like tokens after it, as the tokenizer adds them. */
  readonly #special: { head: number[]; tail: number[] };
  readonly #prefix: { query: number[]; passage: number[] };

  constructor(init: { parts: ModelParts; modelId: string; profile: EmbeddingProfile; batchSize: number; dimension?: number }) {
    this.#parts = init.parts;
    this.modelId = init.modelId;
    this.profile = init.profile;
    this.#batchSize = init.batchSize;
    this.dimension = init.dimension ?? 0;
    this.#special = this.#specialTokens();
    this.#prefix = { query: this.#tokens(init.profile.queryPrefix), passage: this.#tokens(init.profile.passagePrefix) };
  }

  /** The same model under another reported id. */
  renamed(modelId: string): TransformersEmbedder {
    return new TransformersEmbedder({ parts: this.#parts, modelId, profile: this.profile, batchSize: this.#batchSize, dimension: this.dimension });
  }

  async embedQueries(texts: readonly string[]): Promise<number[][]> {
    // A question beyond the limit keeps its start; questions are capped at 2,000 characters anyway.
    const sequences = texts.map((text) => this.#sequence(this.#prefix.query, this.#tokens(text).slice(0, this.#room(this.#prefix.query))));
    return this.#run(sequences);
  }

  async embedPassages(texts: readonly string[]): Promise<number[][][]> {
    const room = this.#room(this.#prefix.passage);
    const windowsOf = texts.map((text) => tokenWindows(this.#tokens(text), { room, overlap: this.profile.windowOverlap }));
    const vectors = await this.#run(windowsOf.flatMap((windows) => windows.map((window) => this.#sequence(this.#prefix.passage, window))));
    let next = 0;
    return windowsOf.map((windows) => windows.map(() => vectors[next++] ?? []));
  }

  /** Embeds a probe and checks the vector length against `hidden_size` in config.json when it is present. */
  async discoverDimension(): Promise<void> {
    const [probe] = await this.#run([this.#sequence(this.#prefix.passage, this.#tokens(PROBE_TEXT))], { checkDimension: false });
    const dimension = probe?.length ?? 0;
    if (dimension < 1) throw new Error('the model returned an empty vector');
    const hiddenSize = this.#parts.model.config?.hidden_size;
    if (typeof hiddenSize === 'number' && hiddenSize !== dimension) {
      throw new Error(`config.json says hidden_size ${hiddenSize} but the model returns ${dimension}-dimensional vectors`);
    }
    this.dimension = dimension;
  }

  /** Token room left for text in one sequence, after special tokens and the prefix. */
  #room(prefix: readonly number[]): number {
    return Math.max(1, this.profile.maxTokens - this.#special.head.length - this.#special.tail.length - prefix.length);
  }

  #tokens(text: string): number[] {
    if (text === '') return [];
    return this.#parts.tokenizer(text, { add_special_tokens: false, return_tensor: false }).input_ids as number[];
  }

  #specialTokens(): { head: number[]; tail: number[] } {
    const marker = this.#tokens('x');
    const framed = this.#parts.tokenizer('x', { add_special_tokens: true, return_tensor: false }).input_ids as number[];
    const at = framed.findIndex((_, i) => marker.every((id, j) => framed[i + j] === id));
    return at < 0 ? { head: [], tail: [] } : { head: framed.slice(0, at), tail: framed.slice(at + marker.length) };
  }

  #sequence(prefix: readonly number[], text: readonly number[]): Sequence {
    return [...this.#special.head, ...prefix, ...text, ...this.#special.tail];
  }

  /** Runs sequences through the model in batches of similar length (less padding), pools and normalises them. */
  async #run(sequences: readonly Sequence[], options: { checkDimension?: boolean } = {}): Promise<number[][]> {
    const order = sequences.map((_, i) => i).sort((a, b) => (sequences[a]?.length ?? 0) - (sequences[b]?.length ?? 0));
    const vectors: number[][] = new Array<number[]>(sequences.length);
    for (let start = 0; start < order.length; start += this.#batchSize) {
      const indexes = order.slice(start, start + this.#batchSize);
      let pooled: number[][];
      try {
        pooled = await this.#poolBatch(indexes.map((i) => sequences[i] ?? []));
      } catch (error) {
        throw new AppError('internal', `Embedding with model "${this.modelId}" failed: ${describeError(error)}`, { cause: error });
      }
      indexes.forEach((index, row) => {
        const vector = pooled[row] ?? [];
        if (options.checkDimension !== false && vector.length !== this.dimension) {
          throw new AppError('internal', `Embedding with model "${this.modelId}" gave ${vector.length} dimensions, expected ${this.dimension}`);
        }
        vectors[index] = vector;
      });
    }
    return vectors;
  }

  /** One padded batch through the model: the pooled, normalised vector of each sequence. */
  async #poolBatch(batch: readonly Sequence[]): Promise<number[][]> {
    const width = Math.max(...batch.map((sequence) => sequence.length));
    const ids = new BigInt64Array(batch.length * width);
    const mask = new BigInt64Array(batch.length * width);
    batch.forEach((sequence, row) => {
      sequence.forEach((id, column) => {
        ids[row * width + column] = BigInt(id);
        mask[row * width + column] = 1n;
      });
    });
    const dims = [batch.length, width];
    const output = await this.#parts.model({
      input_ids: new Tensor('int64', ids, dims),
      attention_mask: new Tensor('int64', mask, dims),
      token_type_ids: new Tensor('int64', new BigInt64Array(batch.length * width), dims),
    });
    const hidden = output.last_hidden_state ?? output.token_embeddings;
    if (hidden === undefined || hidden.dims.length !== 3 || hidden.dims[0] !== batch.length || hidden.dims[1] !== width) {
      throw new Error(`unexpected model output shape [${hidden?.dims.join(', ') ?? 'none'}] for ${batch.length} sequences of ${width} tokens`);
    }
    const size = hidden.dims[2] ?? 0;
    const data = hidden.data as Float32Array;
    return batch.map((sequence, row) => this.#pool(data, { row, width, size, length: sequence.length }));
  }

  #pool(data: Float32Array, at: { row: number; width: number; size: number; length: number }): number[] {
    const vector = new Array<number>(at.size).fill(0);
    const tokens = this.profile.pooling === 'cls' ? 1 : at.length;
    for (let t = 0; t < tokens; t += 1) {
      const offset = (at.row * at.width + t) * at.size;
      for (let d = 0; d < at.size; d += 1) vector[d] = (vector[d] ?? 0) + (data[offset + d] ?? 0) / tokens;
    }
    const norm = this.profile.normalize ? Math.hypot(...vector) : 1;
    // An all-zero pooled vector would normalise to NaN; better to fail here than to poison an index.
    if (!(norm > 0) || !vector.every(Number.isFinite)) throw new Error('the model returned a non-finite or zero vector');
    return vector.map((x) => x / norm);
  }
}
