// Unit tests of the registry of source types: what is accepted, in words, and how a fetched document's format is
// told from its bytes, its media type and its address; and which web addresses are read at all.

import { describe, expect, it } from 'vitest';
import { AppError } from '../../server/core/errors.ts';
import {
  describeFormats,
  formatOfDocument,
  formatOfFileName,
  looksLikeWebAddress,
  parseContentType,
  parseWebAddress,
  SOURCE_TYPES,
  SPEECH_FILE_ACCEPT,
  SPEECH_FORMATS,
  SUPPORTED_SPEECH_EXTENSIONS,
} from '../../server/core/source-formats.ts';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const PDF = bytes('%PDF-1.7\n%âãÏÓ\n1 0 obj');
const ZIP = new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00]);
const HTML = bytes('\ufeff  <!-- saved page -->\n<!DOCTYPE html><html lang="en"><head>');

describe('the source types', () => {
  it('cover text, Markdown, PDF, Word and web pages as files, and web addresses', () => {
    expect(Object.keys(SOURCE_TYPES)).toEqual(['txt', 'md', 'pdf', 'docx', 'html', 'url']);
    expect(SPEECH_FORMATS).toEqual(['txt', 'md', 'pdf', 'docx', 'html']);
    expect(SUPPORTED_SPEECH_EXTENSIONS).toEqual(['.txt', '.md', '.pdf', '.docx', '.html', '.htm']);
    expect(describeFormats()).toBe('plain text (.txt), Markdown (.md), PDF (.pdf), Word document (.docx) or web page (.html, .htm)');
    expect(SPEECH_FILE_ACCEPT.split(',')).toEqual(expect.arrayContaining(['.pdf', 'application/pdf', '.htm', 'text/html']));
  });

  it('tell a file format by its name, case-insensitively', () => {
    expect(formatOfFileName('Keynote.PDF')).toBe('pdf');
    expect(formatOfFileName('saved page.htm')).toBe('html');
    expect(formatOfFileName('notes.rtf')).toBeNull();
    expect(formatOfFileName('speech.pdf.zip')).toBeNull();
  });
});

describe('formatOfDocument', () => {
  it('trusts a binary signature over the media type a server declares', () => {
    expect(formatOfDocument({ mediaType: 'text/html', head: PDF, path: '/speech' })).toBe('pdf');
    expect(formatOfDocument({ mediaType: 'application/octet-stream', head: ZIP, path: '/download' })).toBe('docx');
  });

  it('reads the media type, then for a generic one an HTML opening or the ending of the path', () => {
    expect(formatOfDocument({ mediaType: 'application/xhtml+xml', head: bytes('<?xml'), path: '/' })).toBe('html');
    expect(formatOfDocument({ mediaType: 'text/plain', head: bytes('Remarks'), path: '/x.html' })).toBe('txt');
    expect(formatOfDocument({ mediaType: 'text/markdown', head: bytes('# Remarks'), path: '/' })).toBe('md');
    expect(formatOfDocument({ mediaType: '', head: HTML, path: '/speech' })).toBe('html');
    expect(formatOfDocument({ mediaType: 'application/octet-stream', head: bytes('Remarks'), path: '/files/remarks.txt' })).toBe('txt');
    expect(formatOfDocument({ mediaType: 'application/octet-stream', head: bytes('Remarks'), path: '/files/remarks' })).toBeNull();
    expect(formatOfDocument({ mediaType: 'image/png', head: bytes('\x89PNG'), path: '/speech.pdf' })).toBeNull();
    expect(formatOfDocument({ mediaType: 'application/json', head: bytes('{}'), path: '/' })).toBeNull();
  });

  it('reads a Content-Type header', () => {
    expect(parseContentType('text/HTML; charset="ISO-8859-1"')).toEqual({ mediaType: 'text/html', charset: 'iso-8859-1' });
    expect(parseContentType('application/pdf')).toEqual({ mediaType: 'application/pdf', charset: null });
    expect(parseContentType('')).toEqual({ mediaType: '', charset: null });
  });
});

describe('web addresses', () => {
  it('accepts http and https addresses, without their fragment', () => {
    expect(parseWebAddress(' https://www.iom.int/speeches/x?lang=en#top ').href).toBe('https://www.iom.int/speeches/x?lang=en');
    expect(looksLikeWebAddress('https://www.iom.int/')).toBe(true);
    expect(looksLikeWebAddress('speeches/keynote.pdf')).toBe(false);
    expect(looksLikeWebAddress('C:\\speeches\\keynote.pdf')).toBe(false);
  });

  it.each([
    ['', 'empty'],
    ['www.iom.int/speeches', 'not a web address'],
    ['file:///etc/passwd', 'only http:// and https://'],
    ['javascript:alert(1)', 'only http:// and https://'],
    ['https://admin:secret@intranet.example/', 'user name or password'],
    [`https://example.org/${'a'.repeat(500)}`, 'longer than 500 characters'],
  ])('refuses %j with bad_request', (address, words) => {
    expect(() => parseWebAddress(address)).toThrow(AppError);
    expect(() => parseWebAddress(address)).toThrow(words);
  });
});
