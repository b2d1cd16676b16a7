// What the tiny BERT-shaped test models share: the whole-word vocabulary, the WordPiece tokenizer files, the
// seeded token vectors, config.json and the folder layout transformers.js reads.

import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { seededRandom } from './seeded-random.ts';

/** The built-in whole-word vocabulary: common English words plus a few migration-policy terms. */
export const COMMON_WORDS: readonly string[] = `
  the of and to a in is it you that he was for on are with as i his they be at one have this from or had by not
  word but what some we can out other were all there when up use your how said an each she which do their time
  if will way about many then them write would like so these her long make thing see him two has look more day
  could go come did number sound no most people my over know water than call first who may down side been now
  find any new work part take get place made live where after back little only round man year came show every
  good me give our under name very through just form sentence great think say help low line differ turn cause
  much mean before move right boy old too same tell does set three want air well also play small end put home
  read hand port large spell add even land here must big high such follow act why ask men change went light
  kind off need house picture try us again animal point mother world near build self earth father head stand
  own page should country found answer school grow study still learn plant cover food sun four between state
  keep eye never last let thought city tree cross farm hard start might story saw far sea draw left late run
  while press close night real life few north open seem together next white children begin got walk example
  ease paper group always music those both mark often letter until mile river car feet care second book carry
  took science eat room friend began idea fish mountain stop once base hear horse cut sure watch color face
  wood main enough plain girl usual young ready above ever red list though feel talk bird soon body dog family
  direct pose leave song measure door product black short numeral class wind question happen complete ship area
  half rock order fire south problem piece told knew pass since top whole king space heard best hour better
  true during hundred five remember step early hold west ground interest reach fast verb sing listen six table
  travel less morning ten simple several toward war lay against pattern slow center love person money serve
  appear road map rain rule govern pull cold notice voice unit power town fine certain fly fall lead cry dark
  machine note wait plan figure star box noun field rest correct able pound done beauty drive stood contain
  front teach week final gave green quick develop ocean warm free minute strong special mind behind clear tail
  produce fact street inch multiply nothing course stay wheel full force blue object decide surface deep moon
  island foot system busy test record boat common gold possible plane age dry wonder laugh thousand ago ran
  check game shape yes hot miss brought heat snow bed bring sit perhaps fill east weight language among
  migration migrant migrants refugee refugees displaced displacement border borders mobility human rights
  labour labor workers remittances climate development policy policies government governments dialogue
  international organization member states cooperation community communities health integration protection
  return security safe orderly regular irregular smuggling trafficking asylum crisis humanitarian data women
  youth diaspora partnership global compact sustainable agenda economic social national regional future
  challenges opportunities support
`.trim().split(/\s+/);

const PAD = '[PAD]';
const UNK = '[UNK]';
const CLS = '[CLS]';
const SEP = '[SEP]';
const MASK = '[MASK]';
const SPECIAL_TOKENS = [PAD, UNK, CLS, SEP, MASK] as const;

/** ASCII punctuation plus common typographic marks; BertPreTokenizer makes each one its own token. */
const PUNCTUATION = [...'!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~', '\u2018', '\u2019', '\u201c', '\u201d', '\u2013', '\u2014', '\u2026'];
const CHARACTERS = [...'abcdefghijklmnopqrstuvwxyz0123456789'];
const SUBWORD_PREFIX = '##';

// Punctuation occurs in nearly every text; at full weight it would add the same component to every
// vector and make unrelated sentences look alike, so it only gets a faint vector.
const PUNCTUATION_SCALE = 0.1;
// A word missing from the vocabulary falls apart into one token per letter; at full weight such a word
// would count several times over, so letters get a weaker vector (about one word's worth for 6-10 letters).
const CHARACTER_SCALE = 0.35;
// [CLS] is in every input, so it must not steer the mean; it is not exactly zero so that an empty text
// (only [CLS] [SEP]) still pools to a non-zero vector and normalises to a unit vector instead of NaN.
const CLS_SCALE = 0.01;

/** Throws unless `dimension` is a usable `hidden_size`. */
export function checkDimension(dimension: number): void {
  if (!Number.isInteger(dimension) || dimension < 1 || dimension > 4096) {
    throw new RangeError(`dimension must be an integer between 1 and 4096, got ${dimension}`);
  }
}

/** The `config.json` of a BERT with no layers; `extra` keys (e.g. labels) follow the common ones. */
export function bertConfig(
  options: { name: string; architecture: string; dimension: number; vocabSize: number },
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    _name_or_path: options.name,
    architectures: [options.architecture],
    model_type: 'bert',
    hidden_size: options.dimension,
    vocab_size: options.vocabSize,
    num_hidden_layers: 0,
    num_attention_heads: 1,
    intermediate_size: options.dimension,
    hidden_act: 'gelu',
    max_position_embeddings: 512,
    type_vocab_size: 2,
    layer_norm_eps: 1e-12,
    pad_token_id: 0,
    ...extra,
  };
}

/**
 * Writes a model folder: `config.json`, `tokenizer.json`, `tokenizer_config.json`, and the graph as both
 * `onnx/model.onnx` and `onnx/model_quantized.onnx` (so it loads whatever `quantized` says). Returns the folder's absolute path.
 */
export async function writeTinyBertFolder(
  dir: string,
  files: { config: Record<string, unknown>; vocab: readonly string[]; onnx: Uint8Array },
): Promise<string> {
  const root = path.resolve(dir);
  await mkdir(path.join(root, 'onnx'), { recursive: true });
  await Promise.all([
    writeJson(path.join(root, 'config.json'), files.config),
    writeJson(path.join(root, 'tokenizer.json'), tokenizerJson(files.vocab)),
    writeJson(path.join(root, 'tokenizer_config.json'), tokenizerConfig()),
    writeFile(path.join(root, 'onnx', 'model.onnx'), files.onnx),
    writeFile(path.join(root, 'onnx', 'model_quantized.onnx'), files.onnx),
  ]);
  return root;
}

/** Splits `words` the way the tokenizer will see them (lowercased, accents stripped, split at non-alphanumerics). */
function normaliseWords(words: readonly string[]): string[] {
  const pieces: string[] = [];
  for (const word of words) {
    const normalised = word.toLowerCase().normalize('NFD').replace(/[\u0300-\u036f]/g, '');
    pieces.push(...normalised.split(/[^\p{L}\p{N}]+/u));
  }
  return pieces;
}

/** Token list in id order: specials, punctuation, characters, `##` characters, then whole words. */
export function buildVocabulary(words: readonly string[]): string[] {
  const tokens = [
    ...SPECIAL_TOKENS,
    ...PUNCTUATION,
    ...CHARACTERS,
    ...CHARACTERS.map((c) => SUBWORD_PREFIX + c),
    ...normaliseWords(words).filter((w) => [...w].length > 1),
  ];
  return [...new Set(tokens)];
}

/**
 * Random token vectors, row-major [vocab, dimension], each row of roughly unit length (specials, punctuation
 * and single characters scaled down). Depends only on the vocabulary, the dimension and the seed.
 */
export function buildEmbeddingTable(vocab: readonly string[], options: { dimension: number; seed: number }): Float32Array {
  const { dimension } = options;
  const gaussian = gaussianGenerator(options.seed);
  const punctuation = new Set(PUNCTUATION);
  const characters = new Set([...CHARACTERS, ...CHARACTERS.map((c) => SUBWORD_PREFIX + c)]);
  const table = new Float32Array(vocab.length * dimension);
  vocab.forEach((token, row) => {
    // Every row draws its numbers, even the zero ones, so a token's vector depends only on its id and the seed.
    const scale =
      token === PAD || token === SEP || token === MASK ? 0
      : token === CLS ? CLS_SCALE
      : punctuation.has(token) ? PUNCTUATION_SCALE
      : characters.has(token) ? CHARACTER_SCALE
      : 1;
    for (let col = 0; col < dimension; col++) {
      table[row * dimension + col] = (scale * gaussian()) / Math.sqrt(dimension);
    }
  });
  return table;
}

/** Standard normal numbers from a seeded mulberry32 generator (Box–Muller). */
function gaussianGenerator(seed: number): () => number {
  const uniform = seededRandom(seed);
  return () => {
    // 1 - u keeps the logarithm's argument in (0, 1].
    const u = 1 - uniform();
    const v = uniform();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  };
}

function tokenizerJson(vocab: readonly string[]): Record<string, unknown> {
  const ids = new Map(vocab.map((token, id) => [token, id]));
  const idOf = (token: string): number => {
    const id = ids.get(token);
    if (id === undefined) throw new Error(`token ${token} missing from the vocabulary`);
    return id;
  };
  const special = (token: string) => ({ id: token, ids: [idOf(token)], tokens: [token] });
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: SPECIAL_TOKENS.map((content) => ({
      id: idOf(content),
      content,
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: true,
    })),
    normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: true, lowercase: true },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: CLS, type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: SEP, type_id: 0 } }],
      pair: [
        { SpecialToken: { id: CLS, type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: SEP, type_id: 0 } },
        { Sequence: { id: 'B', type_id: 1 } },
        { SpecialToken: { id: SEP, type_id: 1 } },
      ],
      special_tokens: { [CLS]: special(CLS), [SEP]: special(SEP) },
    },
    decoder: { type: 'WordPiece', prefix: SUBWORD_PREFIX, cleanup: true },
    model: {
      type: 'WordPiece',
      unk_token: UNK,
      continuing_subword_prefix: SUBWORD_PREFIX,
      max_input_chars_per_word: 100,
      vocab: Object.fromEntries(ids),
    },
  };
}

function tokenizerConfig(): Record<string, unknown> {
  return {
    tokenizer_class: 'BertTokenizer',
    do_lower_case: true,
    strip_accents: null,
    tokenize_chinese_chars: true,
    model_max_length: 512,
    clean_up_tokenization_spaces: true,
    pad_token: PAD,
    unk_token: UNK,
    cls_token: CLS,
    sep_token: SEP,
    mask_token: MASK,
  };
}

async function writeJson(file: string, value: unknown): Promise<void> {
  await writeFile(file, `${JSON.stringify(value, null, 2)}\n`, 'utf8');
}
