// Extraction of uploaded speech files (real PDF, DOCX and text files written by the fixtures) through to the
// paragraph splitter and the duplicate fingerprint, and every way a file is refused.

import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { preloadPdfReader } from '../../server/adapters/pdf-text.ts';
import { extractSpeechText } from '../../server/adapters/speech-extraction.ts';
import { AppError, type ErrorCode } from '../../server/core/errors.ts';
import { MAX_SPEECH_FILE_BYTES, SUPPORTED_SPEECH_EXTENSIONS } from '../../server/core/source-formats.ts';
import { splitSpeech } from '../../server/core/paragraphs.ts';
import { DUPLICATE_SIMILARITY, fingerprintSimilarity, fingerprintSpeech } from '../../server/core/speech-fingerprint.ts';
import {
  CLIMATE_KEYNOTE,
  FIXTURE_HEADER_META,
  FIXTURE_META,
  FIXTURE_PARAGRAPH_COUNT,
  FIXTURE_PDF_HEADER,
  ISLAND_STATEMENT,
  makeImageOnlyPdf,
  makeSpeechDocx,
  makeSpeechPdf,
  makeSpeechText,
} from '../fixtures/make-fixtures.ts';

let dir: string;
const files = {} as Record<'pdf' | 'encrypted' | 'docx' | 'blankDocx' | 'text' | 'headed' | 'scan' | 'islandPdf', Uint8Array>;

beforeAll(async () => {
  await preloadPdfReader();
  dir = await mkdtemp(path.join(os.tmpdir(), 'idm-extract-'));
  const at = (name: string): string => path.join(dir, name);
  const written = {
    pdf: await makeSpeechPdf(at('keynote.pdf')),
    encrypted: await makeSpeechPdf(at('locked.pdf'), { encrypted: true }),
    docx: await makeSpeechDocx(at('keynote.docx')),
    blankDocx: await makeSpeechDocx(at('blank.docx'), {
      speech: { ...CLIMATE_KEYNOTE, frontMatter: [], salutation: ['  ', ''], paragraphs: ['\t', ' '] },
    }),
    text: await makeSpeechText(at('keynote.txt')),
    headed: await makeSpeechText(at('headed.txt'), { headerBlock: true }),
    scan: await makeImageOnlyPdf(at('scan.pdf')),
    islandPdf: await makeSpeechPdf(at('island.pdf'), { speech: ISLAND_STATEMENT }),
  };
  for (const [key, file] of Object.entries(written)) files[key as keyof typeof files] = await readFile(file);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Runs extractSpeechText expecting an AppError with `code`; returns its message. */
async function refusal(fileName: string, bytes: Uint8Array, code: ErrorCode): Promise<string> {
  const error: unknown = await extractSpeechText({ fileName, bytes }).then(
    () => expect.unreachable(`${fileName} should have been refused`),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  expect((error as AppError).code, (error as AppError).message).toBe(code);
  return (error as AppError).message;
}

/** A zip archive of stored (uncompressed) files. */
function storedZip(entries: Record<string, string>): Uint8Array {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, content] of Object.entries(entries)) {
    const data = Buffer.from(content);
    const nameBytes = Buffer.from(name);
    const header = (signature: number, size: number): Buffer => {
      const b = Buffer.alloc(size);
      b.writeUInt32LE(signature, 0);
      return b;
    };
    const local = header(0x04034b50, 30);
    local.writeUInt16LE(20, 4);
    local.writeUInt32LE(zlib.crc32(data), 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    const central = header(0x02014b50, 46);
    central.writeUInt16LE(20, 6);
    central.writeUInt32LE(zlib.crc32(data), 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(nameBytes.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, nameBytes, data);
    centrals.push(central, nameBytes);
    offset += 30 + nameBytes.length + data.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(Object.keys(entries).length, 8);
  end.writeUInt16LE(Object.keys(entries).length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

describe('extractSpeechText on well-formed files', () => {
  it('lists the supported extensions and the size limit', () => {
    expect(SUPPORTED_SPEECH_EXTENSIONS).toEqual(['.txt', '.md', '.pdf', '.docx', '.html', '.htm']);
    expect(MAX_SPEECH_FILE_BYTES).toBe(20 * 1024 * 1024);
  });

  it('reads a paginated PDF into the speech paragraphs, without running header, page numbers or cuts', async () => {
    const { text, format } = await extractSpeechText({ fileName: 'Keynote.PDF', bytes: files.pdf });
    expect(format).toBe('pdf');
    const pages = text.split('\f');
    expect(pages).toHaveLength(3);
    for (const [i, page] of pages.entries()) {
      expect(page.startsWith(`${FIXTURE_PDF_HEADER.join('\n')}\n`)).toBe(true);
      expect(page.trimEnd().endsWith(`\n\n${i + 1}`)).toBe(true);
    }

    const split = splitSpeech(text);
    expect(split.frontMatter).toEqual(FIXTURE_META);
    expect(split.paragraphs).toHaveLength(FIXTURE_PARAGRAPH_COUNT);
    expect(split.paragraphs.map((p) => p.text)).toEqual(CLIMATE_KEYNOTE.paragraphs);
    for (const p of split.paragraphs) {
      for (const furniture of FIXTURE_PDF_HEADER) expect(p.text).not.toContain(furniture);
    }
    // Every page break falls inside a paragraph, which comes out whole.
    const cut = split.paragraphs.filter((p) => text.slice(p.start, p.end).includes('\f'));
    expect(cut).toHaveLength(2);
    for (const p of cut) expect(text.slice(p.start, p.end)).toMatch(/[^.]\n\n\d\n\f[\s\S]*\n\n\p{Ll}/u);
  });

  it('keeps paragraphs apart by the blank line that marks a paragraph gap, and wraps as single line ends', async () => {
    const { text } = await extractSpeechText({ fileName: 'keynote.pdf', bytes: files.pdf });
    expect(text).toContain('Ana Lucía Ferreira, Deputy Director General\nInternational Organization for Migration\n\n');
    expect(text).toContain('Excellencies,\nDistinguished delegates,\nLadies and gentlemen,\n\nIt is a great honour');
    expect(text).toContain('from one season’s pasture');
  });

  it('leaves the bytes it was given untouched', async () => {
    const before = Buffer.from(files.pdf);
    await extractSpeechText({ fileName: 'keynote.pdf', bytes: files.pdf });
    expect(Buffer.from(files.pdf).equals(before)).toBe(true);
  });

  it('reads a .docx into the same paragraphs and metadata', async () => {
    const { text, format } = await extractSpeechText({ fileName: 'keynote.docx', bytes: files.docx });
    expect(format).toBe('docx');
    const split = splitSpeech(text);
    expect(split.frontMatter).toEqual(FIXTURE_META);
    expect(split.paragraphs.map((p) => p.text)).toEqual(CLIMATE_KEYNOTE.paragraphs);
    expect(text).not.toMatch(/\n{3}/);
  });

  it('reads text as it is, and a header block as metadata', async () => {
    const plain = await extractSpeechText({ fileName: 'keynote.txt', bytes: files.text });
    expect(plain).toEqual({ text: Buffer.from(files.text).toString('utf8'), format: 'txt' });
    const headed = await extractSpeechText({ fileName: 'headed.md', bytes: files.headed });
    expect(headed.format).toBe('md');
    const split = splitSpeech(headed.text);
    expect(split.frontMatter).toEqual(FIXTURE_HEADER_META);
    expect(split.paragraphs).toHaveLength(FIXTURE_PARAGRAPH_COUNT);
  });

  it('drops a byte-order mark and keeps CRLF line ends', async () => {
    const bytes = Buffer.from('\uFEFFTitle: Remarks\r\n\r\nA sentence.\r\n');
    expect((await extractSpeechText({ fileName: 'bom.txt', bytes })).text).toBe('Title: Remarks\r\n\r\nA sentence.\r\n');
  });

  it('fingerprints the PDF, the .docx and the text as one speech, and another speech as another', async () => {
    const fingerprintOf = async (fileName: string, bytes: Uint8Array) =>
      fingerprintSpeech(splitSpeech((await extractSpeechText({ fileName, bytes })).text).paragraphs);
    const pdf = await fingerprintOf('keynote.pdf', files.pdf);
    const text = await fingerprintOf('keynote.txt', files.text);
    const docx = await fingerprintOf('keynote.docx', files.docx);
    const headed = await fingerprintOf('headed.txt', files.headed);
    for (const other of [text, docx, headed]) expect(fingerprintSimilarity(pdf, other)).toBeGreaterThanOrEqual(DUPLICATE_SIMILARITY);
    const island = await fingerprintOf('island.pdf', files.islandPdf);
    expect(fingerprintSimilarity(pdf, island)).toBeLessThan(0.05);
  });
});

describe('extractSpeechText refusals', () => {
  it.each(['speech.exe', 'speech.doc', 'speech', 'speech.pdf.zip'])('refuses %s as unsupported_type', async (name) => {
    expect(await refusal(name, Buffer.from('Some text.'), 'unsupported_type')).toContain(
      'plain text (.txt), Markdown (.md), PDF (.pdf), Word document (.docx) or web page (.html, .htm)',
    );
  });

  it('refuses a file over 20 MB as too_large, and takes one of exactly 20 MB', async () => {
    const big = new Uint8Array(MAX_SPEECH_FILE_BYTES + 1).fill(0x61);
    expect(await refusal('big.txt', big, 'too_large')).toContain('20 MB');
    const { text } = await extractSpeechText({ fileName: 'limit.txt', bytes: big.subarray(0, MAX_SPEECH_FILE_BYTES) });
    expect(text).toHaveLength(MAX_SPEECH_FILE_BYTES);
  });

  it('refuses a password-protected PDF as unreadable and says so', async () => {
    expect(await refusal('locked.pdf', files.encrypted, 'unreadable')).toMatch(/"locked\.pdf": the PDF is password-protected/);
  });

  it('refuses a PDF without a text layer as unreadable', async () => {
    expect(await refusal('scan.pdf', files.scan, 'unreadable')).toContain('no text layer');
  });

  it('refuses damaged PDFs and .docx files as unreadable', async () => {
    expect(await refusal('half.pdf', files.pdf.subarray(0, files.pdf.length / 2), 'unreadable')).toContain('damaged');
    expect(await refusal('junk.pdf', Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(4096, 7)]), 'unreadable')).toContain('damaged');
    expect(await refusal('half.docx', files.docx.subarray(0, files.docx.length / 2), 'unreadable')).toContain('damaged');
    // Password-protected .docx files (and old .doc files) are OLE containers, not zips.
    const ole = Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), Buffer.alloc(512)]);
    expect(await refusal('locked.docx', ole, 'unreadable')).toContain('password-protected');
    expect(await refusal('locked.txt', ole, 'unsupported_type')).toContain('Office document');
  });

  it('refuses content that does not match the extension as unsupported_type', async () => {
    expect(await refusal('speech.pdf', files.text, 'unsupported_type')).toContain('not a PDF');
    expect(await refusal('speech.docx', files.text, 'unsupported_type')).toContain('not a Word');
    expect(await refusal('speech.docx', storedZip({ 'notes.txt': 'hello' }), 'unsupported_type')).toContain('not a Word');
    expect(await refusal('speech.txt', files.pdf, 'unsupported_type')).toContain('a PDF');
    expect(await refusal('speech.md', files.docx, 'unsupported_type')).toContain('zip');
    expect(await refusal('speech.txt', Buffer.from([0x4d, 0x5a, 0x90, 0x00, 0x03]), 'unsupported_type')).toContain('binary');
  });

  it('refuses empty and whitespace-only files, and text that is not UTF-8, as unreadable', async () => {
    expect(await refusal('empty.txt', new Uint8Array(0), 'unreadable')).toContain('empty');
    expect(await refusal('empty.pdf', new Uint8Array(0), 'unreadable')).toContain('empty');
    expect(await refusal('blank.md', Buffer.from(' \n\t\r\n\f \n'), 'unreadable')).toContain('no text');
    expect(await refusal('bom-only.txt', Buffer.from('\uFEFF\n'), 'unreadable')).toContain('no text');
    expect(await refusal('blank.docx', files.blankDocx, 'unreadable')).toContain('no text');
    expect(await refusal('latin1.txt', Buffer.from('Caf\xe9 au lait.', 'latin1'), 'unreadable')).toContain('UTF-8');
    expect(await refusal('utf16.txt', Buffer.from('\uFEFFHello', 'utf16le'), 'unreadable')).toContain('UTF-16');
  });
});
