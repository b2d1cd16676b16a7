// Writes a tiny, deterministic BERT-shaped model folder (config, WordPiece tokenizer, one-Gather ONNX graph)
// that @xenova/transformers loads like a real sentence-embedding model, so tests never need downloaded weights.

import { encodeOnnxModel } from './onnx-writer.ts';
import { bertConfig, buildEmbeddingTable, buildVocabulary, checkDimension, COMMON_WORDS, writeTinyBertFolder } from './tiny-bert.ts';

export { COMMON_WORDS } from './tiny-bert.ts';

/** Options of {@link writeTinyModel}. */
export interface TinyModelOptions {
  /** Length of every token vector (the model's `hidden_size`). Default 64. */
  dimension?: number;
  /** Seed of the vector generator; the same seed and vocabulary give byte-identical files. Default 1. */
  seed?: number;
  /** Whole words that get their own token; defaults to the built-in common-word list. */
  vocabulary?: readonly string[];
}

/** What {@link writeTinyModel} wrote. */
export interface TinyModelInfo {
  /** Absolute path of the model folder. */
  dir: string;
  dimension: number;
  vocabSize: number;
}

/**
 * Writes a tiny BERT-shaped model to `dir`: `config.json`, `tokenizer.json`, `tokenizer_config.json`,
 * and `onnx/model.onnx` plus an identical `onnx/model_quantized.onnx` (so it loads whatever `quantized` says).
 * The graph is a single embedding lookup, so mean pooling gives a bag-of-words vector: texts sharing
 * words have a higher cosine than unrelated texts. Deterministic for a given seed and vocabulary.
 */
export async function writeTinyModel(dir: string, options: TinyModelOptions = {}): Promise<TinyModelInfo> {
  const dimension = options.dimension ?? 64;
  checkDimension(dimension);
  const vocab = buildVocabulary(options.vocabulary ?? COMMON_WORDS);
  const table = buildEmbeddingTable(vocab, { dimension, seed: options.seed ?? 1 });

  const onnx = encodeOnnxModel({
    graphName: 'tiny_bag_of_words',
    nodes: [{ opType: 'Gather', name: 'embed_tokens', inputs: ['embeddings', 'input_ids'], outputs: ['last_hidden_state'] }],
    initializers: [{ name: 'embeddings', dims: [vocab.length, dimension], data: table }],
    // attention_mask and token_type_ids are unused by the graph; they are declared so the session looks like a
    // BERT export (transformers.js passes a model only the inputs its session declares).
    inputs: ['input_ids', 'attention_mask', 'token_type_ids'].map((name) => ({
      name,
      elemType: 'int64' as const,
      shape: ['batch_size', 'sequence_length'],
    })),
    outputs: [{ name: 'last_hidden_state', elemType: 'float', shape: ['batch_size', 'sequence_length', dimension] }],
  });

  const config = bertConfig({ name: 'tiny-bag-of-words', architecture: 'BertModel', dimension, vocabSize: vocab.length });
  const root = await writeTinyBertFolder(dir, { config, vocab, onnx });
  return { dir: root, dimension, vocabSize: vocab.length };
}
