// Unit tests of lexical analysis: folding, word tokens with offsets, stop words, spelling unification and stemming.

import { describe, expect, it } from 'vitest';
import { foldText, STOP_WORDS, termOf, termsOf, unifySpelling, wordTokens } from '../../server/core/terms.ts';

/** The index term of a raw word, as a passage or question would produce it. */
const term = (word: string): string | null => termOf(foldText(word));

describe('foldText', () => {
  it('lowercases', () => {
    expect(foldText('MIGRATION Governance')).toBe('migration governance');
  });

  it('turns curly single quotes and primes into the ASCII apostrophe', () => {
    expect(foldText('Labour\u2019s \u2018dialogue\u2019 \u201aa\u201b 5\u2032')).toBe("labour's 'dialogue' 'a' 5'");
  });

  it('turns curly double quotes into the ASCII double quote', () => {
    expect(foldText('\u201cSafe\u201d \u201eorderly\u201f')).toBe('"safe" "orderly"');
  });

  it('turns every dash and the minus sign into a hyphen', () => {
    expect(foldText('a\u2010b\u2011c\u2012d\u2013e\u2014f\u2015g\u2212h')).toBe('a-b-c-d-e-f-g-h');
  });

  it('removes accents, whether precomposed or combining', () => {
    expect(foldText('Éxodo naïve café S\u00e3o')).toBe('exodo naive cafe sao');
    expect(foldText('e\u0301te\u0301')).toBe('ete');
  });

  it('keeps the length of text made of ASCII, quotes, dashes and case', () => {
    const text = 'The IOM\u2019s \u201cGlobal Compact\u201d \u2014 2018\u20132019';
    expect(foldText(text)).toHaveLength(text.length);
  });

  it('folds "Labour’s" and "labour\'s" to the same string', () => {
    expect(foldText('Labour\u2019s')).toBe(foldText("labour's"));
  });
});

describe('wordTokens', () => {
  it('returns folded words in order with offsets into the original text', () => {
    expect(wordTokens('Safe, orderly and Regular!')).toEqual([
      { word: 'safe', start: 0, end: 4 },
      { word: 'orderly', start: 6, end: 13 },
      { word: 'and', start: 14, end: 17 },
      { word: 'regular', start: 18, end: 25 },
    ]);
  });

  it('slices of the original text at the offsets are the words before folding', () => {
    const text = 'Le Dialogue \u2014 \u201cMigrants\u2019 Rights\u201d, São Paulo, naïve e\u0301te\u0301 2018: IOM\u2019s role.';
    const tokens = wordTokens(text);
    expect(tokens.map((t) => text.slice(t.start, t.end))).toEqual([
      'Le',
      'Dialogue',
      'Migrants',
      'Rights',
      'São',
      'Paulo',
      'naïve',
      'e\u0301te\u0301',
      '2018',
      'IOM\u2019s',
      'role',
    ]);
    for (const token of tokens) expect(foldText(text.slice(token.start, token.end))).toBe(token.word);
    expect(tokens.map((t) => t.word)).toEqual(['le', 'dialogue', 'migrants', 'rights', 'sao', 'paulo', 'naive', 'ete', '2018', "iom's", 'role']);
  });

  it('keeps a possessive with a straight or curly apostrophe inside one token', () => {
    expect(wordTokens("labour's")).toEqual([{ word: "labour's", start: 0, end: 8 }]);
    expect(wordTokens('labour\u2019s')).toEqual([{ word: "labour's", start: 0, end: 8 }]);
  });

  it('splits hyphenated words and ignores punctuation-only text', () => {
    expect(wordTokens('evidence-based').map((t) => t.word)).toEqual(['evidence', 'based']);
    expect(wordTokens('  ... \u2014 !? ')).toEqual([]);
    expect(wordTokens('')).toEqual([]);
  });

  it('returns offsets that increase and never overlap', () => {
    const tokens = wordTokens('One two, three; four\u2014five (six) seven.');
    for (let i = 1; i < tokens.length; i += 1) {
      expect(tokens[i]?.start ?? 0).toBeGreaterThanOrEqual(tokens[i - 1]?.end ?? 0);
    }
    expect(tokens).toHaveLength(7);
  });
});

describe('stop words', () => {
  it.each(['the', 'and', 'what', 'how', 'is', 'of', "don't", 'please', 'tell'])('drops the stop word %j', (word) => {
    expect(STOP_WORDS.has(word)).toBe(true);
    expect(termOf(word)).toBeNull();
  });

  it('drops stop words whatever their case or apostrophe', () => {
    expect(term('The')).toBeNull();
    expect(term('WHAT')).toBeNull();
    expect(term('Don\u2019t')).toBeNull();
    expect(term("it's")).toBeNull();
  });

  it('keeps topic words', () => {
    expect(term('migration')).not.toBeNull();
    expect(term('Compact')).not.toBeNull();
  });

  it('returns no terms for a question made only of stop words', () => {
    expect(termsOf('What is it that you would say about this?')).toEqual([]);
  });
});

describe('single letters and digits', () => {
  it.each(['a', 'b', 'x', '1', '9', 'I'])('drops %j', (word) => {
    expect(term(word)).toBeNull();
  });

  it('keeps numbers of two or more digits', () => {
    expect(term('2018')).toBe('2018');
    expect(term('42')).toBe('42');
  });

  it('drops list markers from a text', () => {
    expect(termsOf('1. Migration b) data 2 x')).toEqual([term('migration'), term('data')]);
  });
});

describe('spelling unification', () => {
  it.each([
    ['labour', 'labor'],
    ['Labour\u2019s', "labor's"],
    ['organisation', 'organization'],
    ['organisations', 'organizations'],
    ['organised', 'organized'],
    ['centre', 'center'],
    ['centres', 'centers'],
    ['analyse', 'analyze'],
    ['analysing', 'analyzing'],
    ['realise', 'realize'],
    ['neighbour', 'neighbor'],
    ['behaviour', 'behavior'],
  ])('gives %j and %j the same term', (british, american) => {
    expect(term(british)).toBe(term(american));
    expect(term(british)).not.toBeNull();
  });

  it('maps British spellings onto American ones', () => {
    expect(unifySpelling('labour')).toBe('labor');
    expect(unifySpelling('organisation')).toBe('organization');
    expect(unifySpelling('centre')).toBe('center');
    expect(unifySpelling('analyse')).toBe('analyze');
  });

  it('leaves American spellings and short -our words alone', () => {
    expect(unifySpelling('labor')).toBe('labor');
    expect(unifySpelling('organization')).toBe('organization');
    expect(unifySpelling('center')).toBe('center');
    expect(unifySpelling('hour')).toBe('hour');
    expect(unifySpelling('four')).toBe('four');
  });

  it('lets a British question find an American passage', () => {
    expect(termsOf('Labour organisations in the centre')).toEqual(termsOf('labor organizations in the center'));
  });

  it('unifies inflected British -our words ("labours", "neighbouring", "honoured") with their base and American forms', () => {
    expect(term('labours')).toBe(term('labors'));
    expect(term('labours')).toBe(term('labour'));
    expect(term('neighbouring')).toBe(term('neighboring'));
    expect(term('honoured')).toBe(term('honored'));
  });
});

describe('stemming', () => {
  it.each([
    ['migrant', 'migrants'],
    ['partnership', 'partnerships'],
    ['remittance', 'remittances'],
    ['govern', 'governing'],
    ['country', 'countries'],
    ['migrants', "migrants'"],
    ['IOM', 'IOM\u2019s'],
  ])('conflates %j and %j', (a, b) => {
    expect(term(a)).toBe(term(b));
    expect(term(a)).not.toBeNull();
  });

  it('keeps unrelated words apart', () => {
    expect(term('migrant')).not.toBe(term('data'));
    expect(term('climate')).not.toBe(term('country'));
  });
});

describe('termsOf', () => {
  it('returns the terms of a text in order, with repeats', () => {
    const terms = termsOf('Migrants, migrants and the migrant: data on MIGRANTS.');
    expect(terms).toEqual([term('migrant'), term('migrant'), term('migrant'), term('data'), term('migrant')]);
  });

  it('gives the same terms for typographic and plain variants of a text', () => {
    expect(termsOf('The IOM\u2019s \u201cCompact\u201d \u2014 naïve Labour')).toEqual(termsOf('the iom\'s "compact" - naive labor'));
  });

  it('returns [] for empty text', () => {
    expect(termsOf('')).toEqual([]);
  });
});
