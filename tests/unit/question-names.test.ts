// Unit tests of the names a question uses: finding them (capitalised runs, acronyms, numbers, connectors) and
// what the corpus knows of them (unknown names, the speakers they refer to).

import { describe, expect, it } from 'vitest';
import { NameIndex, questionNames } from '../../server/core/question-names.ts';
import { termOf, termsOf } from '../../server/core/terms.ts';
import type { Speech, SpeechMeta } from '../../server/core/types.ts';

const names = (question: string): string[] => questionNames(question).map((name) => name.text);

describe('questionNames', () => {
  it('finds runs of capitalised words after the first word', () => {
    expect(names('What did Amy Pope say about Mongolia?')).toEqual(['Amy Pope', 'Mongolia']);
    expect(names('Migration in Mongolia?')).toEqual(['Mongolia']);
  });

  it('keeps connectors inside a name and drops them at its ends', () => {
    expect(names('What was said at the Global Forum on Migration and Development?')).toEqual(['Global Forum on Migration and Development']);
    expect(names('Talks between Amy Pope and the delegates')).toEqual(['Amy Pope']);
    expect(names('What of the and Geneva')).toEqual(['Geneva']);
  });

  it('finds acronyms, also as the first word, and numbers', () => {
    expect(names('IOM with UNHCR in 2023')).toEqual(['IOM', 'UNHCR', '2023']);
    expect(names('IOM and UNHCR')).toEqual(['IOM and UNHCR']);
    expect(names('What about SDG 10?')).toEqual(['SDG 10']);
  });

  it('gives each name its folded words and their index terms, connectors left out', () => {
    const [forum] = questionNames('About the Global Forum on Migration and Development');
    expect(forum?.words).toEqual(['global', 'forum', 'migration', 'development'].map((word) => ({ word, term: termOf(word) })));
    expect(questionNames("What is Mongolia's capital?")).toEqual([{ text: "Mongolia's", words: [{ word: "mongolia's", term: termOf('mongolia') }] }]);
  });

  it('drops names without a term: stop words and single letters or digits', () => {
    expect(names('Can I ask about it?')).toEqual([]);
    expect(names('What about 1 and 2, or B?')).toEqual([]);
    expect(names('what about forced labour?')).toEqual([]);
    expect(names('')).toEqual([]);
  });
});

function meta(fields: Partial<SpeechMeta> & Pick<SpeechMeta, 'id' | 'speaker' | 'role'>): SpeechMeta {
  return { title: 'Opening remarks', event: 'International Dialogue on Migration', date: '2023-10-11', place: 'Geneva', source: '', ...fields };
}

const SPEECHES: Speech[] = [
  { meta: meta({ id: 'pope', speaker: 'Amy Pope', role: 'Director General, International Organization for Migration' }), paragraphs: [] },
  { meta: meta({ id: 'vitorino', speaker: 'António Vitorino', role: 'Director General, International Organization for Migration', date: '2019-03-26' }), paragraphs: [] },
  { meta: meta({ id: 'daniels', speaker: 'Ugochi Daniels', role: 'Deputy Director General for Operations', title: 'Climate Mobility' }), paragraphs: [] },
];

/** Terms of the speeches' paragraphs (kept apart from the metadata on purpose). */
const CORPUS_TERMS = new Set(termsOf('IOM forced labour slavery children capital representatives'));
const SYNONYMS: Record<string, string[]> = { servitude: ['slavery', 'bondage'], bondage: ['forced labour'], metropolis: ['capital'] };

const index = new NameIndex({ speeches: SPEECHES, knows: (term) => CORPUS_TERMS.has(term), synonyms: (word) => SYNONYMS[word] ?? [] });
const unknown = (question: string): string[] => index.unknown(questionNames(question));

describe('NameIndex.unknown', () => {
  it('reports names with a word the corpus never mentions', () => {
    expect(unknown('What is the Capital of Mongolia?')).toEqual(['Capital of Mongolia']);
    expect(unknown('What is the capital of France?')).toEqual(['France']);
    expect(unknown('What happened in 2031?')).toEqual(['2031']);
  });

  it('knows names of the paragraphs, of the metadata (title, event, place, year) and of speakers and roles', () => {
    expect(unknown('What did IOM say about Forced Labour?')).toEqual([]);
    expect(unknown('What was said in Geneva at the International Dialogue in 2023?')).toEqual([]);
    expect(unknown('And in 2019 on Climate Mobility?')).toEqual([]);
    expect(unknown('What did Ugochi Daniels, Deputy Director General for Operations, say?')).toEqual([]);
  });

  it('knows a word through a one-word synonym the corpus holds, never through a phrase', () => {
    expect(unknown('What about Servitude?')).toEqual([]);
    // "bondage" has only the phrase "forced labour", although the corpus holds both its words.
    expect(unknown('What about Bondage?')).toEqual(['Bondage']);
    expect(unknown('What about the Metropolis?')).toEqual([]);
  });

  it('knows nothing beyond the corpus without synonyms', () => {
    const plain = new NameIndex({ speeches: SPEECHES, knows: (term) => CORPUS_TERMS.has(term) });
    expect(plain.unknown(questionNames('What about Servitude and Slavery in Mongolia?'))).toEqual(['Servitude and Slavery', 'Mongolia']);
    expect(plain.unknown(questionNames('What about Slavery?'))).toEqual([]);
  });
});

describe('NameIndex.speakers', () => {
  const speakers = (question: string) => index.speakers(questionNames(question));

  it('finds the speeches of a speaker named in full, with the name and its terms', () => {
    expect(speakers('What did Amy Pope say about forced labour?')).toEqual({ names: ['Amy Pope'], terms: new Set(termsOf('Amy Pope')), speechIds: new Set(['pope']) });
  });

  it('takes a role as a speaker: every speech given in that role', () => {
    expect(speakers('What did the Director General say about forced labour?')?.speechIds).toEqual(new Set(['pope', 'vitorino', 'daniels']));
    expect(speakers('What did the Deputy Director General say?')?.speechIds).toEqual(new Set(['daniels']));
  });

  it('intersects the speeches of every name that refers to a speaker, and skips other names', () => {
    const named = speakers('What did the Director General, Amy Pope, say to Mongolia?');
    expect(named?.speechIds).toEqual(new Set(['pope']));
    expect(named?.names).toEqual(['Director General, Amy Pope']);
    const twoNames = speakers('What did the Director General say about SDG 10 with Amy Pope?');
    expect(twoNames).toMatchObject({ names: ['Director General', 'Amy Pope'], speechIds: new Set(['pope']) });
    expect(twoNames?.terms).toEqual(new Set(termsOf('Director General Amy Pope')));
  });

  it('is null when no name refers to a speaker', () => {
    expect(speakers('What about forced labour?')).toBeNull();
    expect(speakers('What was said in Geneva?')).toBeNull();
    // "Amy Hall": one word of a speaker's name does not make a speaker.
    expect(speakers('What did Amy Hall say?')).toBeNull();
  });

  it('is null when the named speakers gave no speech together', () => {
    expect(speakers('What did Amy Pope and Ugochi Daniels say?')).toBeNull();
    expect(speakers('What did Amy Pope say to Ugochi Daniels?')).toBeNull();
  });
});
