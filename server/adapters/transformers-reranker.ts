// The Reranker backed by @xenova/transformers: loads a cross-encoder (e.g. Xenova/ms-marco-MiniLM-L-6-v2) the way
// the embedding model is loaded, and scores (question, passage) pairs with its single relevance logit.

import { AutoModelForSequenceClassification, AutoTokenizer } from '@xenova/transformers';
import { AppError } from '../core/errors.ts';
import type { Reranker } from '../core/types.ts';
import { describeError, loadPretrained, type ModelSourceOptions } from './transformers-loading.ts';

/** Options of {@link loadTransformersReranker}: where the model comes from (see {@link ModelSourceOptions}) and batching. */
export interface TransformersRerankerOptions extends ModelSourceOptions {
  /** Pairs per inference call; default 16. */
  batchSize?: number;
}

/** The tokenizer call used here: questions and passages as pairs, padded and truncated into one batch. */
type PairTokenizer = (texts: string[], options: { text_pair: string[]; padding: true; truncation: true }) => unknown;
/** The model call: tokenizer output in, `logits` [pairs, labels] out. */
type SequenceClassifier = (inputs: unknown) => Promise<{ logits?: { dims: readonly number[]; data: ArrayLike<number> } }>;
/** A loaded cross-encoder: its tokenizer and its model. */
interface ClassifierPair {
  tokenizer: PairTokenizer;
  model: SequenceClassifier;
}

const DEFAULT_BATCH_SIZE = 16;
const PROBE_QUESTION = 'probe question';
const PROBE_PASSAGE = 'probe passage';

/**
 * Loads a sequence-classification cross-encoder with one output label and returns a {@link Reranker} whose
 * scores are its raw logits (higher is more relevant; not bounded, not probabilities).
 *
 * The model is found as {@link loadPretrained} describes (a folder, or the cache, downloading when
 * `allowRemote`), and a probe pair is scored before it is returned, so a model that loads but is no
 * single-logit cross-encoder is refused here rather than at the first question.
 *
 * @throws {AppError} `model_unavailable` naming the model and the cause when anything fails to load;
 *   `config_invalid` when neither a model id nor a folder is given, or `batchSize` is not a positive integer.
 */
export async function loadTransformersReranker(options: TransformersRerankerOptions): Promise<Reranker> {
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new AppError('config_invalid', `Reranking batch size must be a positive integer, got ${batchSize}.`);
  }
  const { loaded, modelId } = await loadPretrained(options, {
    role: 'reranking',
    load: async (repoId, pretrained) => {
      const [tokenizer, model] = await Promise.all([
        AutoTokenizer.from_pretrained(repoId, pretrained),
        AutoModelForSequenceClassification.from_pretrained(repoId, pretrained),
      ]);
      const pair: ClassifierPair = { tokenizer: tokenizer as PairTokenizer, model: model as SequenceClassifier };
      await scoreBatch(pair, PROBE_QUESTION, [PROBE_PASSAGE]);
      return pair;
    },
  });
  return new TransformersReranker({ pair: loaded, modelId, batchSize });
}

class TransformersReranker implements Reranker {
  readonly modelId: string;
  private readonly pair: ClassifierPair;
  private readonly batchSize: number;

  constructor(init: { pair: ClassifierPair; modelId: string; batchSize: number }) {
    this.pair = init.pair;
    this.modelId = init.modelId;
    this.batchSize = init.batchSize;
  }

  async score(question: string, passages: readonly string[]): Promise<number[]> {
    const scores: number[] = [];
    for (let start = 0; start < passages.length; start += this.batchSize) {
      const batch = passages.slice(start, start + this.batchSize);
      try {
        scores.push(...(await scoreBatch(this.pair, question, batch)));
      } catch (error) {
        throw new AppError('internal', `Reranking with model "${this.modelId}" failed: ${describeError(error)}`, { cause: error });
      }
    }
    return scores;
  }
}

/** Scores one padded batch of (question, passage) pairs; checks for exactly one finite logit per pair. */
async function scoreBatch(pair: ClassifierPair, question: string, passages: string[]): Promise<number[]> {
  const inputs = pair.tokenizer(passages.map(() => question), { text_pair: passages, padding: true, truncation: true });
  const { logits } = await pair.model(inputs);
  if (!logits) throw new Error('the model has no `logits` output; is it a sequence-classification model?');
  const [rows, columns] = logits.dims;
  if (logits.dims.length !== 2 || rows !== passages.length || columns !== 1) {
    throw new Error(`expected logits of shape [${passages.length}, 1], got [${logits.dims.join(', ')}]`);
  }
  const scores = Array.from(logits.data, Number);
  const bad = scores.findIndex((score) => !Number.isFinite(score));
  if (bad >= 0) throw new Error(`non-finite score for passage ${bad + 1} of the batch`);
  return scores;
}
