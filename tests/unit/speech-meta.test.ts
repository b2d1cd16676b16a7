// Unit tests of speech ids, ISO dates and the speech metadata check applied to untrusted input.

import { describe, expect, it } from 'vitest';
import { AppError } from '../../server/core/errors.ts';
import { checkMetaField, checkSpeechMeta, isIsoDate, isSpeechId } from '../../server/core/speech-meta.ts';

const VALID = {
  title: 'Closing Remarks',
  speaker: 'William Lacy Swing',
  role: 'Director General, International Organization for Migration',
  event: 'International Dialogue on Migration',
  date: '2018-03-27',
  place: 'UN Headquarters, New York',
  source: 'closing-remarks.pdf',
};

/** Runs checkSpeechMeta expecting a corpus_invalid AppError; returns its message. */
function failureOf(id: string, value: unknown, where = 'corpus/x.meta.json'): string {
  try {
    checkSpeechMeta(id, value, where);
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('corpus_invalid');
    return (error as AppError).message;
  }
  return expect.unreachable('checkSpeechMeta should have thrown');
}

describe('isSpeechId', () => {
  it.each(['idm-2018-closing-remarks-swing', 'a', '1', 'abc123', 'a-b-c', '2018', 'x'.repeat(120)])('accepts %j', (id) => {
    expect(isSpeechId(id)).toBe(true);
  });

  it.each([
    ['empty', ''],
    ['dot-dot', '..'],
    ['path traversal', '../etc/passwd'],
    ['slash', 'a/b'],
    ['backslash', 'a\\b'],
    ['uppercase', 'IDM-2018'],
    ['mixed case', 'Idm'],
    ['percent-encoded NUL', '%00'],
    ['NUL', 'a\u0000b'],
    ['121 characters', 'x'.repeat(121)],
    ['leading dash', '-idm'],
    ['trailing dash', 'idm-'],
    ['double dash', 'idm--2018'],
    ['underscore', 'idm_2018'],
    ['dot', 'idm.txt'],
    ['space', 'idm 2018'],
    ['trailing newline', 'idm\n'],
    ['accented letter', 'migración'],
    ['hash', 'idm#1'],
  ])('rejects %s (%j)', (_label, id) => {
    expect(isSpeechId(id)).toBe(false);
  });
});

describe('isIsoDate', () => {
  it.each(['2018-03-27', '2020-02-29', '2000-02-29', '1999-12-31', '2024-01-01'])('accepts the real date %s', (date) => {
    expect(isIsoDate(date)).toBe(true);
  });

  it.each([
    ['February 30th', '2018-02-30'],
    ['February 29th of a common year', '2019-02-29'],
    ['February 29th of 1900', '1900-02-29'],
    ['month 13', '2018-13-01'],
    ['month 00', '2018-00-10'],
    ['day 00', '2018-01-00'],
    ['day 32', '2018-01-32'],
    ['April 31st', '2018-04-31'],
    ['single-digit month', '2018-3-27'],
    ['slashes', '2018/03/27'],
    ['day first', '27-03-2018'],
    ['time appended', '2018-03-27T00:00:00Z'],
    ['surrounding space', ' 2018-03-27'],
    ['trailing newline', '2018-03-27\n'],
    ['empty', ''],
    ['words', 'yesterday'],
  ])('rejects %s (%j)', (_label, date) => {
    expect(isIsoDate(date)).toBe(false);
  });
});

describe('checkSpeechMeta', () => {
  it('returns the complete metadata with the id', () => {
    expect(checkSpeechMeta('idm-2018', VALID, 'w')).toEqual({ id: 'idm-2018', ...VALID });
  });

  it('trims text fields and fills missing optional ones with ""', () => {
    expect(checkSpeechMeta('idm-2018', { title: '  Remarks \n', date: '2018-03-27' }, 'w')).toEqual({
      id: 'idm-2018',
      title: 'Remarks',
      speaker: '',
      role: '',
      event: '',
      date: '2018-03-27',
      place: '',
      source: '',
    });
  });

  it('ignores unknown keys', () => {
    const meta = checkSpeechMeta('idm-2018', { ...VALID, extra: 1, id: 'other-id' }, 'w');
    expect(meta.id).toBe('idm-2018');
    expect(Object.keys(meta).sort()).toEqual(['date', 'event', 'id', 'place', 'role', 'source', 'speaker', 'title']);
  });

  it('names the source and the bad id', () => {
    const message = failureOf('../evil', VALID, 'corpus/evil.meta.json');
    expect(message).toContain('corpus/evil.meta.json');
    expect(message).toContain('"../evil"');
  });

  it.each([null, [], 'text', 42, true])('rejects metadata that is not an object (%j)', (value) => {
    expect(failureOf('idm-2018', value)).toMatch(/object/);
  });

  it.each(['title', 'speaker', 'role', 'event', 'place', 'source'])('rejects a non-string "%s", naming the key', (key) => {
    const message = failureOf('idm-2018', { ...VALID, [key]: 42 }, 'corpus/x.meta.json');
    expect(message).toContain(`"${key}"`);
    expect(message).toContain('corpus/x.meta.json');
  });

  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['blank', '   '],
  ])('rejects a %s title, naming "title"', (_label, title) => {
    expect(failureOf('idm-2018', { ...VALID, title })).toContain('"title"');
  });

  it.each([
    ['missing', undefined],
    ['impossible', '2018-02-30'],
    ['wrongly written', '27/03/2018'],
    ['not a string', 20180327],
  ])('rejects a %s date, naming "date"', (_label, date) => {
    expect(failureOf('idm-2018', { ...VALID, date })).toContain('"date"');
  });

  it.each([
    ['over 500 characters', 'x'.repeat(501), /longer than 500/],
    ['a control character', 'Opening\u0007remarks', /one line of text without control characters/],
  ])('refuses a hand-edited value with %s, by the same rule as the API', (_label, title, reason) => {
    const message = failureOf('idm-2018', { ...VALID, title }, 'corpus/x.meta.json');
    expect(message).toContain('corpus/x.meta.json: "title"');
    expect(message).toMatch(reason);
    expect(() => checkMetaField('title', title)).toThrow(reason);
  });

  it('reports the first bad key only once per call, with the code corpus_invalid', () => {
    const message = failureOf('idm-2018', { title: 5, date: 'never' });
    expect(message).toContain('"title"');
    expect(message).not.toContain('"date"');
  });
});
