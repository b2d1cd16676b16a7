// Writes a tiny, deterministic BERT-shaped cross-encoder (sequence classification, one logit per pair) whose
// score is the share of the question's words found in the passage, so reranking tests can assert real rankings.

import { encodeOnnxModel, type OnnxNode } from './onnx-writer.ts';
import { bertConfig, buildEmbeddingTable, buildVocabulary, checkDimension, COMMON_WORDS, writeTinyBertFolder } from './tiny-bert.ts';

/** Options of {@link writeTinyCrossEncoder}. */
export interface TinyCrossEncoderOptions {
  /** Length of every token vector (the model's `hidden_size`). Default 64. */
  dimension?: number;
  /** Seed of the vector generator; the same seed and vocabulary give byte-identical files. Default 1. */
  seed?: number;
  /** Whole words that get their own token; defaults to the built-in common-word list. */
  vocabulary?: readonly string[];
}

/** What {@link writeTinyCrossEncoder} wrote. */
export interface TinyCrossEncoderInfo {
  /** Absolute path of the model folder. */
  dir: string;
  dimension: number;
  vocabSize: number;
}

/**
 * The logit is `LOGIT_SCALE * overlap + LOGIT_BIAS`, overlap in [0, 1]: a passage with none of the question's
 * words scores -3, one with all of them +7, roughly the range and sign of ms-marco cross-encoder logits.
 */
export const LOGIT_SCALE = 10;
/** See {@link LOGIT_SCALE}. */
export const LOGIT_BIAS = -3;
// Keeps denominators above zero: the norm of the all-zero [SEP] vector, the weight of a question of specials only.
const EPSILON = 1e-12;
// Subtracted from the similarity with tokens outside the passage (the question, padding) so a max never picks them.
const OUTSIDE_PENALTY = 1e4;

/**
 * Writes a tiny cross-encoder to `dir`, in the same layout as the tiny embedding model (same tokenizer, whose
 * pair template is `[CLS] A [SEP] B [SEP]` with type ids 0 and 1, and the same token vectors for the same seed),
 * but with `architectures: ['BertForSequenceClassification']`, one label, and a graph whose output `logits`
 * [batch, 1] is `LOGIT_SCALE * overlap + LOGIT_BIAS`.
 *
 * `overlap` is the share of the question's token weight found in the passage: each question token (type id 0)
 * with vector q weighs w = |q|² and earns `w * clamp(2 * best - 1, 0, 1)`, where `best` is its largest cosine
 * with a passage token (type id 1); earnings are summed and divided by the summed weights. A token present in
 * the passage has best = 1 and earns its whole weight; random vectors almost never reach a cosine of 0.5, so
 * absent tokens earn nothing. Repeats do not count twice; words weigh about 1, letters of unknown words 0.12,
 * punctuation 0.01, [CLS] 0.0001, [SEP] and padding 0.
 */
export async function writeTinyCrossEncoder(dir: string, options: TinyCrossEncoderOptions = {}): Promise<TinyCrossEncoderInfo> {
  const dimension = options.dimension ?? 64;
  checkDimension(dimension);
  const vocab = buildVocabulary(options.vocabulary ?? COMMON_WORDS);
  const table = buildEmbeddingTable(vocab, { dimension, seed: options.seed ?? 1 });

  const onnx = encodeOnnxModel({
    graphName: 'tiny_word_overlap_cross_encoder',
    nodes: crossEncoderNodes(),
    initializers: [
      { name: 'embeddings', dims: [vocab.length, dimension], data: table },
      // Unsqueeze and ReduceSum take their axes as inputs in opset 13 (ReduceMax still as an attribute).
      { name: 'axis_1', dims: [1], data: BigInt64Array.of(1n) },
      { name: 'axis_2', dims: [1], data: BigInt64Array.of(2n) },
      { name: 'one', dims: [], data: Float32Array.of(1) },
      { name: 'two', dims: [], data: Float32Array.of(2) },
      { name: 'penalty', dims: [], data: Float32Array.of(OUTSIDE_PENALTY) },
      { name: 'epsilon', dims: [], data: Float32Array.of(EPSILON) },
      { name: 'logit_scale', dims: [], data: Float32Array.of(LOGIT_SCALE) },
      { name: 'logit_bias', dims: [], data: Float32Array.of(LOGIT_BIAS) },
    ],
    inputs: ['input_ids', 'attention_mask', 'token_type_ids'].map((name) => ({
      name,
      elemType: 'int64' as const,
      shape: ['batch_size', 'sequence_length'],
    })),
    outputs: [{ name: 'logits', elemType: 'float', shape: ['batch_size', 1] }],
  });

  const config = bertConfig(
    { name: 'tiny-word-overlap-cross-encoder', architecture: 'BertForSequenceClassification', dimension, vocabSize: vocab.length },
    { num_labels: 1, id2label: { 0: 'LABEL_0' }, label2id: { LABEL_0: 0 } },
  );
  const root = await writeTinyBertFolder(dir, { config, vocab, onnx });
  return { dir: root, dimension, vocabSize: vocab.length };
}

/** The graph, opset 13: token cosines across the pair, each question token's best match, weighted mean. */
function crossEncoderNodes(): OnnxNode[] {
  const node = (opType: string, inputs: string[], output: string, attributes?: OnnxNode['attributes']): OnnxNode => ({
    opType,
    name: output,
    inputs,
    outputs: [output],
    attributes,
  });
  return [
    node('Gather', ['embeddings', 'input_ids'], 'token_vectors'), // [batch, sequence, hidden]
    node('Cast', ['attention_mask'], 'attended', { to: { elemType: 'float' } }),
    node('Cast', ['token_type_ids'], 'second_segment', { to: { elemType: 'float' } }),
    // Padding has type id 0 like the question, so the attention mask must gate both sides.
    node('Mul', ['attended', 'second_segment'], 'passage_mask'), // [batch, sequence]
    node('Sub', ['attended', 'passage_mask'], 'question_mask'),
    node('Mul', ['token_vectors', 'token_vectors'], 'squares'),
    node('ReduceSum', ['squares', 'axis_2'], 'weight', { keepdims: 0 }), // |q|², [batch, sequence]
    node('ReduceSum', ['squares', 'axis_2'], 'squared_norm', { keepdims: 1 }), // [batch, sequence, 1]
    node('Add', ['squared_norm', 'epsilon'], 'safe_squared_norm'),
    node('Sqrt', ['safe_squared_norm'], 'norm'),
    node('Div', ['token_vectors', 'norm'], 'unit_vectors'),
    node('Transpose', ['unit_vectors'], 'unit_vectors_t', { perm: [0, 2, 1] }),
    node('MatMul', ['unit_vectors', 'unit_vectors_t'], 'cosines'), // [batch, question pos, passage pos]
    node('Unsqueeze', ['passage_mask', 'axis_1'], 'passage_columns'), // [batch, 1, sequence]
    node('Sub', ['passage_columns', 'one'], 'outside_passage'), // 0 in the passage, -1 elsewhere
    node('Mul', ['outside_passage', 'penalty'], 'exclusion'),
    node('Add', ['cosines', 'exclusion'], 'passage_cosines'),
    node('ReduceMax', ['passage_cosines'], 'best', { axes: [2], keepdims: 0 }), // [batch, sequence]
    node('Mul', ['best', 'two'], 'twice_best'),
    node('Sub', ['twice_best', 'one'], 'margin'),
    node('Relu', ['margin'], 'positive_margin'),
    node('Min', ['positive_margin', 'one'], 'match'), // clamp(2 * best - 1, 0, 1)
    node('Mul', ['match', 'weight'], 'credit'),
    node('Mul', ['credit', 'question_mask'], 'question_credit'),
    node('Mul', ['weight', 'question_mask'], 'question_weight'),
    node('ReduceSum', ['question_credit', 'axis_1'], 'credit_sum', { keepdims: 1 }), // [batch, 1]
    node('ReduceSum', ['question_weight', 'axis_1'], 'weight_sum', { keepdims: 1 }),
    node('Add', ['weight_sum', 'epsilon'], 'safe_weight_sum'),
    node('Div', ['credit_sum', 'safe_weight_sum'], 'overlap'),
    node('Mul', ['overlap', 'logit_scale'], 'scaled_overlap'),
    node('Add', ['scaled_overlap', 'logit_bias'], 'logits'),
  ];
}
