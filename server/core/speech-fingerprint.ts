// Near-duplicate detection of speeches: a fingerprint of a speech's words that ignores how its text was
// extracted (whitespace, line wraps, hyphenation, quotes, page numbers, paragraph cuts). Pure.

import { foldText, wordTokens } from './terms.ts';

/** What two speeches are compared by. */
export interface SpeechFingerprint {
  /** exact hash of folded content words */
  digest: string;
  /** hashed word 5-shingles */
  shingles: ReadonlySet<number>;
}

/** A fingerprint as an index stores it: its shingles as an array, each once. */
export interface StoredFingerprint {
  digest: string;
  shingles: Uint32Array;
}

/** At or above this similarity, two speeches are the same speech. */
export const DUPLICATE_SIMILARITY = 0.9;

/** Words per shingle. */
const SHINGLE_WORDS = 5;
// A hyphen (or dash, folded to '-') between two letters, possibly followed by a line break: "slow-onset",
// "slow-\nonset" and the de-hyphenated "slowonset" all become "slowonset".
const WORD_HYPHEN = /(?<=\p{L})-\s*(?=\p{L})/gu;
const NUMBER = /^\p{N}+$/u;

/**
 * The content words of the paragraphs in order, folded (case, accents, quotes, dashes), hyphenated compounds
 * joined, and numbers left out (a page number that slipped into the text must not make a difference).
 */
function contentWords(paragraphs: readonly { text: string }[]): string[] {
  const words: string[] = [];
  for (const { text } of paragraphs) {
    for (const token of wordTokens(foldText(text).replace(WORD_HYPHEN, ''))) {
      const word = token.word.replace(/'/g, '');
      if (word && !NUMBER.test(word)) words.push(word);
    }
  }
  return words;
}

const FNV32_OFFSET = 0x811c9dc5;
const FNV32_PRIME = 0x01000193;
const FNV64_OFFSET = 0xcbf29ce484222325n;
const FNV64_PRIME = 0x100000001b3n;
const MASK64 = 0xffffffffffffffffn;

/** 32-bit FNV-1a of a string's UTF-16 code units. */
function fnv1a32(text: string): number {
  let hash = FNV32_OFFSET;
  for (let i = 0; i < text.length; i += 1) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, FNV32_PRIME);
  }
  return hash >>> 0;
}

/** 64-bit FNV-1a of a string's UTF-16 code units, as 16 hex digits. */
function fnv1a64(text: string): string {
  let hash = FNV64_OFFSET;
  for (let i = 0; i < text.length; i += 1) {
    hash ^= BigInt(text.charCodeAt(i));
    hash = (hash * FNV64_PRIME) & MASK64;
  }
  return hash.toString(16).padStart(16, '0');
}

/**
 * Fingerprints a speech from its paragraphs (as the splitter gives them). Paragraph boundaries do not count,
 * so a paragraph cut or joined differently changes nothing. A speech of fewer than 5 words has one shingle.
 */
export function fingerprintSpeech(paragraphs: readonly { text: string }[]): SpeechFingerprint {
  const words = contentWords(paragraphs);
  const shingles = new Set<number>();
  for (let i = 0; i + SHINGLE_WORDS <= words.length; i += 1) {
    shingles.add(fnv1a32(words.slice(i, i + SHINGLE_WORDS).join(' ')));
  }
  if (words.length > 0 && words.length < SHINGLE_WORDS) shingles.add(fnv1a32(words.join(' ')));
  return { digest: fnv1a64(words.join(' ')), shingles };
}

/**
 * Jaccard similarity of two fingerprints' shingles, in [0, 1]; 1 when their digests are equal (the same words,
 * including two speeches without any). Compare with {@link DUPLICATE_SIMILARITY}.
 */
export function fingerprintSimilarity(a: SpeechFingerprint, b: SpeechFingerprint | StoredFingerprint): number {
  if (a.digest === b.digest) return 1;
  let shared = 0;
  let sizeOfB: number;
  if (b.shingles instanceof Uint32Array) {
    // Shingles as stored (each once): counted against the other's set.
    for (const shingle of b.shingles) if (a.shingles.has(shingle)) shared += 1;
    sizeOfB = b.shingles.length;
  } else {
    const [small, large] = a.shingles.size <= b.shingles.size ? [a.shingles, b.shingles] : [b.shingles, a.shingles];
    for (const shingle of small) if (large.has(shingle)) shared += 1;
    sizeOfB = b.shingles.size;
  }
  const union = a.shingles.size + sizeOfB - shared;
  return union === 0 ? 0 : shared / union;
}
