// A synthetic IDM corpus of any size, built from real sentences: the seed and corpus-dev speeches are split into
// sentences, which a seeded generator recombines into speeches of 30 paragraphs with varied metadata, 2001–2025.

import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { metaFileContent } from '../../server/adapters/corpus-writer.ts';
import { splitSpeech } from '../../server/core/paragraphs.ts';
import { sentenceSpans } from '../../server/core/sentences.ts';
import type { SpeechMeta } from '../../server/core/speech-meta.ts';
import { seededRandom } from '../seeded-random.ts';

/** Paragraphs per synthetic speech (the last speech of a corpus may have fewer). */
export const PARAGRAPHS_PER_SPEECH = 30;
const SENTENCES_PER_PARAGRAPH = { min: 2, max: 6 } as const;
const YEARS = { first: 2001, last: 2025 } as const;
/** IDM sessions fall in these months. */
const SESSION_MONTHS = [3, 4, 5, 6, 7, 9, 10, 11] as const;
const MIN_SENTENCE_WORDS = 6;

const THEMES = [
  'Migration and youth',
  'Human mobility and climate change',
  'Migrants and cities',
  'Protection of vulnerable migrants',
  'Migration, health and the pandemic',
  'Labour mobility and skills partnerships',
  'Remittances and development',
  'Return and reintegration',
  'Countering trafficking in persons and forced labour',
  'Inclusion and social cohesion',
  'Data for evidence-based migration policy',
  'Migration governance and the Global Compact',
] as const;
const STATES = ['Bangladesh', 'Brazil', 'Canada', 'Ecuador', 'Ethiopia', 'Germany', 'Ghana', 'Indonesia', 'Italy', 'Jordan', 'Kenya', 'Mexico', 'Morocco', 'Nepal', 'Nigeria', 'Pakistan', 'Philippines', 'Senegal', 'Sri Lanka', 'Sweden', 'Switzerland', 'Thailand', 'Tunisia', 'Türkiye'] as const;
const NAMES = ['Amina Okafor', 'Luis Herrera', 'Mei Tanaka', 'Johan Lindqvist', 'Fatima Benali', 'Ravi Menon', 'Grace Mwangi', 'Pedro Alves', 'Sofia Rossi', 'Kwame Mensah', 'Ingrid Larsen', 'Nadia Haddad', 'Tomás Ortega', 'Anh Nguyen', 'Claire Dubois', 'Yusuf Demir'] as const;
const KINDS = ['Opening remarks', 'Closing remarks', 'Statement', 'Keynote address', 'Panel intervention'] as const;
const PLACES = ['Palais des Nations, Geneva', 'UN Headquarters, New York', 'Geneva', 'New York', ''] as const;

/** A generated speech: its metadata and its paragraphs, in order. */
export interface SyntheticSpeech {
  meta: SpeechMeta;
  paragraphs: string[];
}

/** What {@link writeSyntheticCorpus} wrote. */
export interface SyntheticCorpus {
  speeches: number;
  paragraphs: number;
  bytes: number;
}

/**
 * The sentences of every `.txt` speech in `dirs`, as the product splits them (content paragraphs, then sentences),
 * keeping only whole sentences of some length, without repeats, in a fixed order.
 */
export async function readSeedSentences(dirs: readonly string[]): Promise<string[]> {
  const sentences = new Set<string>();
  for (const dir of dirs) {
    for (const entry of (await readdir(dir)).filter((name) => name.endsWith('.txt')).sort()) {
      for (const { text } of splitSpeech(await readFile(path.join(dir, entry), 'utf8')).paragraphs) {
        for (const [start, end] of sentenceSpans(text)) {
          const sentence = text.slice(start, end);
          if (/^["“(]?[\p{Lu}\p{N}]/u.test(sentence) && /[.!?]["”’)]*$/.test(sentence) && sentence.split(/\s+/).length >= MIN_SENTENCE_WORDS) sentences.add(sentence);
        }
      }
    }
  }
  return [...sentences];
}

/** A deterministic source of synthetic speeches: the same seed and sentences give the same speeches, in order. */
export function createSpeechGenerator(sentences: readonly string[], options: { seed: number; idPrefix: string }): (paragraphs: number) => SyntheticSpeech {
  if (sentences.length === 0) throw new Error('no seed sentences to build speeches from');
  const random = seededRandom(options.seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const between = (min: number, max: number): number => min + Math.floor(random() * (max - min + 1));
  let count = 0;
  return (paragraphCount) => {
    count += 1;
    const year = between(YEARS.first, YEARS.last);
    const date = `${year}-${String(pick(SESSION_MONTHS)).padStart(2, '0')}-${String(between(1, 28)).padStart(2, '0')}`;
    const theme = pick(THEMES);
    const kind = pick(KINDS);
    const byIom = kind !== 'Statement' && kind !== 'Panel intervention';
    const state = pick(STATES);
    const paragraphs = Array.from({ length: paragraphCount }, () =>
      Array.from({ length: between(SENTENCES_PER_PARAGRAPH.min, SENTENCES_PER_PARAGRAPH.max) }, () => pick(sentences)).join(' '),
    );
    const meta: SpeechMeta = {
      id: `${options.idPrefix}-${date}-${String(count).padStart(6, '0')}`,
      title: `${kind} by ${byIom ? 'IOM' : state}, International Dialogue on Migration ${year}: ${theme}`,
      speaker: pick(NAMES),
      role: byIom ? pick(['Director General, IOM', 'Deputy Director General, IOM', 'Chief of Staff, IOM']) : `Permanent Representative of ${state} to the United Nations in Geneva`,
      event: `International Dialogue on Migration ${year}: ${theme}`,
      date,
      place: pick(PLACES),
      source: `synthetic benchmark corpus, seed ${options.seed}`,
    };
    return { meta, paragraphs };
  };
}

/** A speech's text as the corpus keeps it: one paragraph a line, a blank line between paragraphs. */
export function speechText(speech: SyntheticSpeech): string {
  return `${speech.paragraphs.join('\n\n')}\n`;
}

/**
 * Writes a corpus of exactly `paragraphs` paragraphs into `dir` in the corpus format (`<id>.txt` beside
 * `<id>.meta.json`): speeches of {@link PARAGRAPHS_PER_SPEECH} paragraphs, the last one holding the remainder.
 */
export async function writeSyntheticCorpus(dir: string, options: { paragraphs: number; sentences: readonly string[]; seed: number }): Promise<SyntheticCorpus> {
  await mkdir(dir, { recursive: true });
  const next = createSpeechGenerator(options.sentences, { seed: options.seed, idPrefix: 'idm-syn' });
  let written = 0;
  let speeches = 0;
  let bytes = 0;
  while (written < options.paragraphs) {
    const speech = next(Math.min(PARAGRAPHS_PER_SPEECH, options.paragraphs - written));
    const text = speechText(speech);
    const meta = metaFileContent(speech.meta);
    await writeFile(path.join(dir, `${speech.meta.id}.txt`), text);
    await writeFile(path.join(dir, `${speech.meta.id}.meta.json`), meta);
    written += speech.paragraphs.length;
    speeches += 1;
    bytes += Buffer.byteLength(text) + Buffer.byteLength(meta);
  }
  return { speeches, paragraphs: written, bytes };
}
