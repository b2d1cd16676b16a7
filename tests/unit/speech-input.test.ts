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
    expect(codeOf(() => requireComplete(settled)).message).toMatch(/missing title and date/);
  });

  it('treats a detected date that is not a real date as missing', () => {
    expect(settleSpeechMeta({ explicit: { title: 't' }, detected: { date: '2019-02-31' } }).missing).toEqual(['date']);
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
