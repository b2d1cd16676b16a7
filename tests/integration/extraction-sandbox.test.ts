// The extraction sandbox with real worker threads and hostile files generated here: zip bombs refused by their
// declared sizes and ratio or while inflating, a PDF over the page cap, a file past the time limit or the memory
// limit (the worker is ended, the next file is read normally), too many paragraphs, a damaged archive, an abort.

import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createExtractionSandbox, type ExtractionLimits } from '../../server/adapters/extraction-sandbox.ts';
import { DEFAULT_CONFIG } from '../../server/config.ts';
import { makeManyPagePdf, makeManyParagraphDocx, makeZipBombDocx } from '../fixtures/attack-files.ts';
import { FIXTURE_PARAGRAPH_COUNT, makeSpeechDocx, makeSpeechPdf, makeSpeechText } from '../fixtures/make-fixtures.ts';

const MB = 1024 * 1024;
let dir: string;
const files: Record<string, Buffer> = {};

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'idm-attack-'));
  const write = async (name: string, make: (file: string) => Promise<unknown>) => {
    const file = path.join(dir, name);
    await make(file);
    files[name] = await readFile(file);
  };
  await write('bomb.docx', (file) => makeZipBombDocx(file, { inflatedBytes: 300 * MB }));
  await write('lying-bomb.docx', (file) => makeZipBombDocx(file, { inflatedBytes: 300 * MB, declaredBytes: 10_240 }));
  await write('big-bomb.docx', (file) => makeZipBombDocx(file, { inflatedBytes: 300 * MB, declaredBytes: 1200 * MB }));
  await write('pages.pdf', (file) => makeManyPagePdf(file, { pages: 5_000 }));
  await write('paragraphs.docx', (file) => makeManyParagraphDocx(file, { paragraphs: 400_000 }));
  await write('speech.pdf', (file) => makeSpeechPdf(file));
  await write('speech.docx', (file) => makeSpeechDocx(file));
  await write('speech.txt', (file) => makeSpeechText(file));
}, 120_000);
afterAll(() => rm(dir, { recursive: true, force: true }));

/**
 * Reads `name` in a fresh sandbox with `limits` over the defaults; resolves with the error it fails with, once the
 * same sandbox has read an ordinary file after it (`then`, unless null).
 */
async function refusalOf(name: string, limits: Partial<ExtractionLimits> = {}, then: string | null = 'speech.txt'): Promise<{ code: string; message: string; ms: number }> {
  const sandbox = createExtractionSandbox({ ...DEFAULT_CONFIG.extraction, ...limits });
  const started = performance.now();
  try {
    const read = await sandbox.read({ fileName: name, bytes: files[name]! }).then(
      () => null,
      (error: { code: string; message: string }) => error,
    );
    expect(read, `${name} should be refused`).not.toBeNull();
    // The sandbox still reads an ordinary file after the refusal.
    if (then !== null) expect((await sandbox.read({ fileName: then, bytes: files[then]! })).paragraphs).toHaveLength(FIXTURE_PARAGRAPH_COUNT);
    return { code: read!.code, message: read!.message, ms: performance.now() - started };
  } finally {
    await sandbox.close();
  }
}

describe('extraction sandbox', () => {
  it('reads ordinary PDF, Word and text files into the same paragraphs, with fingerprints', async () => {
    const sandbox = createExtractionSandbox(DEFAULT_CONFIG.extraction);
    try {
      const read = [];
      for (const name of ['speech.pdf', 'speech.docx', 'speech.txt']) read.push(await sandbox.read({ fileName: name, bytes: files[name]! }));
      expect(read.map((speech) => speech.format)).toEqual(['pdf', 'docx', 'txt']);
      for (const speech of read) expect(speech.paragraphs.map((p) => p.text)).toEqual(read[2]!.paragraphs.map((p) => p.text));
      expect(read[0]!.fingerprint.digest).toBe(read[2]!.fingerprint.digest);
      expect(read[0]!.fingerprint.shingles.size).toBeGreaterThan(100);
    } finally {
      await sandbox.close();
    }
  });

  it('refuses a zip bomb by its compression ratio, before inflating anything', async () => {
    const refusal = await refusalOf('bomb.docx');
    expect(refusal).toMatchObject({ code: 'too_large', message: expect.stringMatching(/compressed \d+ times, more than 100/) });
  });

  it('refuses a zip bomb declaring 1.2 GB by its declared size', async () => {
    // The ratio would refuse it too; with the ratio of an ordinary document, the declared total alone does.
    expect(await refusalOf('big-bomb.docx')).toMatchObject({ code: 'too_large', message: expect.stringMatching(/more than 100|inflates to 1200 MB/) });
  });

  it('stops inflating a bomb that lies about its size once the inflated budget is spent', async () => {
    expect(await refusalOf('lying-bomb.docx')).toMatchObject({ code: 'too_large', message: expect.stringContaining('inflates to more than 50 MB') });
    expect(await refusalOf('lying-bomb.docx', { maxInflatedBytes: 5 * MB })).toMatchObject({ code: 'too_large', message: expect.stringContaining('more than 5 MB') });
  });

  it('refuses a PDF of more pages than the cap before reading any page', async () => {
    expect(await refusalOf('pages.pdf')).toMatchObject({ code: 'too_large', message: expect.stringContaining('5000 pages, more than the 500 accepted') });
  });

  it('ends a worker that reads past the time limit', async () => {
    const refusal = await refusalOf('pages.pdf', { maxPdfPages: 100_000, timeoutMs: 1_000 });
    expect(refusal).toMatchObject({ code: 'too_large', message: expect.stringContaining('takes more than 1 s to read') });
  });

  it('ends a worker that needs more memory than allowed', async () => {
    const refusal = await refusalOf('paragraphs.docx', { maxMemoryMb: 48, maxInflatedBytes: 50 * MB, timeoutMs: 60_000 });
    expect(refusal).toMatchObject({ code: 'too_large', message: expect.stringContaining('more memory') });
  });

  it('refuses a speech of more paragraphs than allowed', async () => {
    expect(await refusalOf('speech.txt', { maxParagraphs: 5 }, null)).toMatchObject({ code: 'too_large', message: expect.stringContaining('more than the 5 accepted') });
  });

  it('refuses a damaged archive as unreadable', async () => {
    files['damaged.docx'] = Buffer.concat([files['speech.docx']!.subarray(0, 2_000), Buffer.alloc(200)]);
    expect(await refusalOf('damaged.docx')).toMatchObject({ code: 'unreadable' });
  });

  it('stops reading when aborted (shutdown), with busy', async () => {
    const sandbox = createExtractionSandbox({ ...DEFAULT_CONFIG.extraction, maxPdfPages: 100_000 });
    try {
      const controller = new AbortController();
      const reading = sandbox.read({ fileName: 'pages.pdf', bytes: files['pages.pdf']! }, { signal: controller.signal });
      setTimeout(() => controller.abort(), 300);
      await expect(reading).rejects.toMatchObject({ code: 'busy' });
    } finally {
      await sandbox.close();
    }
  });
});
