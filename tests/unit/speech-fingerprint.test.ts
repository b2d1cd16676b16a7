// Tests of speech fingerprints: the same speech extracted differently is a duplicate, another speech is not.

import { describe, expect, it } from 'vitest';
import { splitSpeech } from '../../server/core/paragraphs.ts';
import {
  DUPLICATE_SIMILARITY,
  fingerprintSimilarity,
  fingerprintSpeech,
  type SpeechFingerprint,
} from '../../server/core/speech-fingerprint.ts';
import { CLIMATE_KEYNOTE, ISLAND_STATEMENT, speechPlainText } from '../fixtures/fixture-speeches.ts';

const asParagraphs = (texts: readonly string[]): { text: string }[] => texts.map((text) => ({ text }));
const fingerprintOfText = (raw: string): SpeechFingerprint => fingerprintSpeech(splitSpeech(raw).paragraphs);

/** Wraps every paragraph at `width` columns, hyphenating the word that crosses the margin when it is long. */
function rewrap(text: string, width: number): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      const room = width - line.length - 2;
      if (word.length >= 8 && room >= 3 && /^\p{Ll}+$/u.test(word)) {
        lines.push(`${line} ${word.slice(0, room)}-`);
        line = word.slice(room);
        continue;
      }
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  return [...lines, line].join('\n');
}

/** The keynote as a different extraction might give it: straight quotes, CRLF, new wraps, pages with numbers. */
function reExtracted(): string {
  const paragraphs = CLIMATE_KEYNOTE.paragraphs.map((p) => rewrap(p.replace(/[’‘]/g, "'").replace(/[“”]/g, '"'), 64));
  const pages = [paragraphs.slice(0, 12), paragraphs.slice(12, 24), paragraphs.slice(24)];
  const front = [...CLIMATE_KEYNOTE.frontMatter, CLIMATE_KEYNOTE.salutation].map((lines) => lines.join('\n'));
  return pages
    .map((page, i) => [...(i === 0 ? front : []), ...page, `- ${i + 1} -`].join('\n\n'))
    .join('\n\f')
    .replace(/\n/g, '\r\n');
}

describe('fingerprintSpeech', () => {
  const original = fingerprintOfText(speechPlainText(CLIMATE_KEYNOTE));

  it('is deterministic: a 64-bit hex digest and one shingle per 5-word window', () => {
    const again = fingerprintSpeech(asParagraphs(CLIMATE_KEYNOTE.paragraphs));
    expect(again.digest).toBe(original.digest);
    expect(again.digest).toMatch(/^[0-9a-f]{16}$/);
    expect([...again.shingles]).toEqual([...original.shingles]);
    expect(fingerprintSpeech(asParagraphs(['one two three four five six'])).shingles.size).toBe(2);
    expect(fingerprintSpeech(asParagraphs(['Thank you.'])).shingles.size).toBe(1);
  });

  it('ignores whitespace, case, quotes, line wraps, hyphenation, page numbers and paragraph cuts', () => {
    const raw = reExtracted();
    expect(raw).toMatch(/\p{Ll}-\r\n\p{Ll}/u);
    expect(raw).toContain('\r\n\r\n- 2 -\r\n\f');
    const variant = fingerprintOfText(raw);
    expect(variant.digest).toBe(original.digest);
    expect(fingerprintSimilarity(original, variant)).toBe(1);

    const merged = [CLIMATE_KEYNOTE.paragraphs.join('  '), '  3  '];
    const shouting = CLIMATE_KEYNOTE.paragraphs.map((p) => p.toUpperCase().replace(/\s+/g, '\n'));
    for (const texts of [merged, shouting]) {
      expect(fingerprintSpeech(asParagraphs(texts)).digest).toBe(original.digest);
    }
  });

  it('joins hyphenated compounds however they were extracted', () => {
    const forms = ['slow-onset disasters hit farmers first', 'slow‐ onset disasters hit farmers first', 'slowonset disasters hit farmers first'];
    const digests = new Set(forms.map((text) => fingerprintSpeech(asParagraphs([text])).digest));
    expect(digests.size).toBe(1);
  });

  it('still finds a duplicate when a little text differs (a running header left in, a line lost)', () => {
    const texts = [...CLIMATE_KEYNOTE.paragraphs];
    texts.splice(10, 0, 'International Organization for Migration IDM 2019');
    texts[20] = texts[20]?.split('. ').slice(1).join('. ') ?? '';
    const similarity = fingerprintSimilarity(original, fingerprintSpeech(asParagraphs(texts)));
    expect(similarity).toBeGreaterThanOrEqual(DUPLICATE_SIMILARITY);
    expect(similarity).toBeLessThan(1);
  });
});

describe('fingerprintSimilarity', () => {
  const keynote = fingerprintSpeech(asParagraphs(CLIMATE_KEYNOTE.paragraphs));

  it('keeps two different speeches on the same topic far apart', () => {
    const statement = fingerprintSpeech(asParagraphs(ISLAND_STATEMENT.paragraphs));
    expect(fingerprintSimilarity(keynote, statement)).toBeLessThan(0.05);
    expect(fingerprintSimilarity(statement, keynote)).toBe(fingerprintSimilarity(keynote, statement));
  });

  it('does not call half of a speech the same speech', () => {
    const half = fingerprintSpeech(asParagraphs(CLIMATE_KEYNOTE.paragraphs.slice(0, 15)));
    const similarity = fingerprintSimilarity(keynote, half);
    expect(similarity).toBeGreaterThan(0.3);
    expect(similarity).toBeLessThan(DUPLICATE_SIMILARITY);
  });

  it('gives 1 for two empty speeches and 0 between an empty and a real one', () => {
    const empty = fingerprintSpeech([]);
    expect(fingerprintSimilarity(empty, fingerprintSpeech(asParagraphs(['', '  12 ', ' '])))).toBe(1);
    expect(fingerprintSimilarity(empty, keynote)).toBe(0);
  });
});
