// Unit tests of metadata a person sends: field checks, the precedence explicit > text > file name, and edits.

import { describe, expect, it } from 'vitest';
import { AppError } from '../../server/core/errors.ts';
import { applyMetaPatch, parseMetaFields, requireComplete, settleSpeechMeta, titleFromFileName } from '../../server/core/speech-input.ts';
import type { SpeechMeta } from '../../server/core/types.ts';

function codeOf(run: () => unknown): { code: string; message: string } {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    return { code: (error as AppError).code, message: (error as AppError).message };
  }
  return expect.unreachable('should have thrown');
}

describe('parseMetaFields', () => {
  it('trims values and drops empty ones unless asked to keep them', () => {
    expect(parseMetaFields({ title: '  A title ', role: '', date: '2019-10-15' }, { keepEmpty: false })).toEqual({ title: 'A title', date: '2019-10-15' });
    expect(parseMetaFields({ role: '  ' }, { keepEmpty: true })).toEqual({ role: '' });
  });

  it.each([
    [{ colour: 'red' }, 'unknown field "colour"'],
    [{ title: 42 }, 'title: must be a string'],
    [{ date: '15 October 2019' }, 'date: expected a real date'],
    [{ date: '2019-02-30' }, 'date: expected a real date'],
    [{ speaker: 'x'.repeat(501) }, 'speaker: longer than 500'],
    [{ title: 'two\nlines' }, 'title: must be one line'],
    [[], 'must be a JSON object'],
    [null, 'must be a JSON object'],
  ])('refuses %j with bad_request naming the field', (value, message) => {
    const { code, message: actual } = codeOf(() => parseMetaFields(value, { keepEmpty: false }));
    expect(code).toBe('bad_request');
    expect(actual).toContain(message);
  });
});

describe('the source field', () => {
  it('accepts http(s) addresses and plain text, and refuses addresses of other schemes', () => {
    for (const ok of ['https://www.iom.int/idm', 'HTTP://example.org/x', 'Statement delivered at IDM 2019', 'Note: verbatim record', 'IOM archive, box 12', '']) {
      expect(parseMetaFields({ source: ok }, { keepEmpty: true }).source, ok).toBe(ok.trim());
    }
    for (const bad of ['javascript:alert(6)', ' JavaScript:alert(document.domain)', 'data:text/html,<script>alert(1)</script>', 'vbscript:msgbox', 'file:///etc/passwd', 'ftp://host/x']) {
      expect(() => parseMetaFields({ source: bad }, { keepEmpty: true }), bad).toThrow(expect.objectContaining({ code: 'bad_request', message: expect.stringContaining('source') }));
    }
  });

  it('drops a detected source of another scheme, falling back to the file name', () => {
    const settled = settleSpeechMeta({ explicit: {}, detected: { title: 'T', date: '2019-10-15', source: 'javascript:alert(6)' }, fileName: 'speech.pdf' });
    expect(settled.meta.source).toBe('speech.pdf');
  });
});

describe('settleSpeechMeta', () => {
  const detected = { title: 'Keynote Address', speaker: 'Ana Ferreira', date: '2019-10-15', event: 'IDM' };

  it('lets explicit values win over what the text says', () => {
    const { meta, missing } = settleSpeechMeta({ explicit: { title: 'My title', place: 'Geneva' }, detected, fileName: 'x.pdf' });
    expect(meta).toEqual({ title: 'My title', speaker: 'Ana Ferreira', role: '', event: 'IDM', date: '2019-10-15', place: 'Geneva', source: 'x.pdf' });
    expect(missing).toEqual([]);
  });

  it('takes the source from the text before the file name', () => {
    expect(settleSpeechMeta({ explicit: {}, detected: { ...detected, source: 'https://www.iom.int/x' }, fileName: 'x.pdf' }).meta.source).toBe('https://www.iom.int/x');
  });

  it('makes the web address a speech was fetched from its source, unless one is given', () => {
    const address = 'https://www.iom.int/speeches/opening-remarks-idm%202019?lang=en';
    const fetched = settleSpeechMeta({ explicit: {}, detected: { ...detected, source: 'IOM Press Office' }, fileName: address, address });
    expect(fetched.meta).toMatchObject({ title: 'Keynote Address', source: address });
    expect(settleSpeechMeta({ explicit: { source: 'Verbatim record' }, detected, address }).meta.source).toBe('Verbatim record');
    expect(settleSpeechMeta({ explicit: { source: '' }, detected, address }).meta.source).toBe('');
    // The title of last resort is the address's last part, in words.
    expect(settleSpeechMeta({ explicit: {}, detected: {}, fileName: address, address }).meta.title).toBe('opening remarks idm 2019');
    expect(settleSpeechMeta({ explicit: {}, detected: {}, fileName: 'https://example.org/', address: 'https://example.org/' }).meta.title).toBe('');
  });

  it('falls back to the file name for the title, and reports a missing date', () => {
    const settled = settleSpeechMeta({ explicit: {}, detected: {}, fileName: 'C:\\uploads\\idm_2019-closing-remarks.docx' });
    expect(settled.meta.title).toBe('idm 2019 closing remarks');
    expect(settled.meta.source).toBe('idm_2019-closing-remarks.docx');
    expect(settled.missing).toEqual(['date']);
    const { code, message } = codeOf(() => requireComplete(settled));
    expect(code).toBe('bad_request');
    expect(message).toContain('date (YYYY-MM-DD)');
  });

  it('names every missing required field', () => {
    const settled = settleSpeechMeta({ explicit: {}, detected: {} });
    expect(settled.missing).toEqual(['title', 'date']);
    expect(codeOf(() => requireComplete(settled)).message).toMatch(/missing title: .*; date \(YYYY-MM-DD\): /);
  });

  it('treats a detected date that is not a real date as missing', () => {
    expect(settleSpeechMeta({ explicit: { title: 't' }, detected: { date: '2019-02-31' } }).missing).toEqual(['date']);
  });

  it('says why a date is missing when the text names one that cannot be read', () => {
    const settled = settleSpeechMeta({ explicit: {}, detected: { title: 'Remarks' }, unreadable: { date: 'not given on page' } });
    expect(settled.missing).toEqual(['date']);
    expect(settled.unreadable).toEqual({ date: 'not given on page' });
    const { message } = codeOf(() => requireComplete(settled));
    expect(message).toContain('"Date:" line reads "not given on page", which is not a date');
    expect(message).not.toContain('none was found');
    // A date given explicitly settles it: nothing is unreadable any more.
    expect(settleSpeechMeta({ explicit: { date: '2019-01-02' }, detected: {}, unreadable: { date: 'not given on page' } }).unreadable).toEqual({});
  });

  it.each([
    ['International Dialogue on Migration 2017, second session (workshop on migrant vulnerabilities), Geneva', 'Geneva'],
    ['International Dialogue on Migration, UN Headquarters, New York', 'New York'],
    ['International Dialogue on Migration 2024, second session, Geneva (keynote address)', 'Geneva'],
  ])('fills the place from the end of the event %j', (event, place) => {
    expect(settleSpeechMeta({ explicit: {}, detected: { title: 't', event } }).meta.place).toBe(place);
  });

  it.each([
    'International Dialogue on Migration',
    'International Dialogue on Migration, second session',
    'International Dialogue on Migration, IOM',
    'Workshop on labour mobility, 2019',
  ])('finds no place at the end of %j', (event) => {
    expect(settleSpeechMeta({ explicit: {}, detected: { title: 't', event } }).meta.place).toBe('');
  });

  it('keeps a given or cleared place over the one the event names', () => {
    const detected = { title: 't', event: 'IDM 2017, Geneva', place: 'Palais des Nations' };
    expect(settleSpeechMeta({ explicit: {}, detected }).meta.place).toBe('Palais des Nations');
    expect(settleSpeechMeta({ explicit: { place: '' }, detected: { title: 't', event: 'IDM 2017, Geneva' } }).meta.place).toBe('');
  });

  it('cleans values found in a text: control characters folded, cut at a word boundary to 500 characters', () => {
    const { meta } = settleSpeechMeta({ explicit: {}, detected: { title: `A\u0007title ${'word '.repeat(200)}` } });
    expect(meta.title.startsWith('A title word')).toBe(true);
    expect(meta.title.length).toBeLessThanOrEqual(500);
    expect(meta.title.endsWith('word')).toBe(true);
  });

  it('makes titles from file names without paths or extensions', () => {
    expect(titleFromFileName('../../a_b-c.txt')).toBe('a b c');
    expect(titleFromFileName('')).toBe('');
  });
});

describe('applyMetaPatch', () => {
  const meta: SpeechMeta = { id: 'idm-x', title: 'T', speaker: 'S', role: 'R', event: 'E', date: '2019-10-15', place: 'P', source: 'src' };

  it('changes the given fields and clears emptied optional ones', () => {
    expect(applyMetaPatch(meta, { title: 'New', role: '' })).toEqual({ ...meta, title: 'New', role: '' });
  });

  it('refuses an empty edit and emptied required fields', () => {
    expect(codeOf(() => applyMetaPatch(meta, {})).code).toBe('bad_request');
    expect(codeOf(() => applyMetaPatch(meta, { date: '' })).message).toContain('date: is required');
    expect(codeOf(() => applyMetaPatch(meta, { title: '' })).message).toContain('title: is required');
  });
});
