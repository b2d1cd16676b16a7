// The text layer of a PDF, via pdfjs-dist: lines rebuilt from text items by their baseline, paragraphs by
// vertical gaps wider than the document's normal line spacing, pages joined by form feeds.

import { AppError } from '../core/errors.ts';

/** A horizontal run of text on a page, in PDF user space (y grows upwards). */
interface Run {
  text: string;
  x: number;
  y: number;
  width: number;
  size: number;
}

/** One rebuilt line: its text, baseline and largest font size. */
interface Line {
  text: string;
  y: number;
  size: number;
}

/** Runs whose baselines differ by less than this share of the font size are on one line (superscripts included). */
const SAME_LINE = 0.4;
/** A horizontal gap wider than this share of the font size between two runs is a space. */
const WORD_GAP = 0.15;
/** A line gap this share of the font size wider than the normal spacing starts a new paragraph. */
const PARAGRAPH_EXTRA = 0.25;
/** Lines whose font sizes differ by more than this ratio are not one paragraph (a title above body text). */
const SIZE_CHANGE = 0.15;
/** Normal line spacing, as a multiple of the font size, when a document has too few lines to measure it. */
const DEFAULT_SPACING = 1.2;
// Control characters are not text; a stray form feed or carriage return would also fake a page or line break.
const CONTROL_CHARS = /[\u0000-\u0008\u000b-\u001f\u007f]/g;

type PdfJs = typeof import('pdfjs-dist/legacy/build/pdf.mjs');
/** pdfjs's parser; it ships no type declarations, and only its side effect is wanted. */
const PDFJS_WORKER: string = 'pdfjs-dist/legacy/build/pdf.worker.mjs';

/** pdfjs is imported on first use (Node caches it), so that text-only callers never pay for it. */
const loadPdfJs = (): Promise<PdfJs> => import('pdfjs-dist/legacy/build/pdf.mjs');

/**
 * Loads pdfjs and its parser ahead of the first PDF. Optional: under tsx, loading these two large modules takes
 * seconds, which a server can spend at start-up instead of on its first upload.
 */
export async function preloadPdfReader(): Promise<void> {
  // The worker module registers itself on globalThis.pdfjsWorker, where pdfjs's in-thread "fake worker" finds it.
  await Promise.all([loadPdfJs(), import(PDFJS_WORKER)]);
}

/**
 * Extracts the text of a PDF: lines joined by '\n', paragraphs by a blank line, pages by '\f'.
 * pdfjs runs in this thread (its "fake worker", no Worker), with eval, system fonts, font faces and fetching off.
 * @throws AppError `too_large` for a PDF of more than `maxPages` pages (refused before any page is read),
 *   `unreadable` for a password-protected, damaged or otherwise unreadable PDF.
 */
export async function extractPdfText(bytes: Uint8Array, options: { name: string; maxPages: number }): Promise<string> {
  const pdfjs = await loadPdfJs();
  let task: ReturnType<PdfJs['getDocument']> | undefined;
  try {
    task = pdfjs.getDocument({
      // A plain copy: pdfjs refuses a Buffer and may take ownership of the buffer it is given.
      data: new Uint8Array(bytes),
      isEvalSupported: false,
      disableFontFace: true,
      useSystemFonts: false,
      useWorkerFetch: false,
      // Warnings off: pdfjs warns about every standard font whose glyph data it is (deliberately) not given.
      verbosity: pdfjs.VerbosityLevel.ERRORS,
    });
    const pdf = await task.promise;
    if (pdf.numPages > options.maxPages) {
      throw new AppError('too_large', `${options.name}: the PDF has ${pdf.numPages} pages, more than the ${options.maxPages} accepted`);
    }
    const pages: Line[][] = [];
    for (let n = 1; n <= pdf.numPages; n += 1) {
      const page = await pdf.getPage(n);
      const content = await page.getTextContent();
      pages.push(linesOf(runsOf(content.items)));
      page.cleanup();
    }
    const spacing = normalSpacing(pages);
    return pages.map((lines) => `${pageText(lines, spacing)}\n`).join('\f');
  } catch (error) {
    throw pdfError(error, options.name);
  } finally {
    await task?.destroy();
  }
}

function pdfError(error: unknown, name: string): AppError {
  if (error instanceof AppError) return error;
  const kind = error instanceof Error ? error.name : '';
  if (kind === 'PasswordException') {
    return new AppError('unreadable', `${name}: the PDF is password-protected; remove the password and try again`, { cause: error });
  }
  if (kind === 'InvalidPDFException') {
    return new AppError('unreadable', `${name}: the PDF is damaged and cannot be read`, { cause: error });
  }
  return new AppError('unreadable', `${name}: the PDF cannot be read (${kind || 'unknown error'})`, { cause: error });
}

/** The horizontal text runs of a page; rotated text (stamps, margin notes) and empty markers are left out. */
function runsOf(items: readonly unknown[]): Run[] {
  const runs: Run[] = [];
  for (const item of items) {
    if (typeof item !== 'object' || item === null || !('str' in item) || !('transform' in item)) continue;
    const { str, transform, width } = item as { str: string; transform: number[]; width: number };
    const text = str.replace(CONTROL_CHARS, '');
    const [a = 0, b = 0, c = 0, d = 0, x = 0, y = 0] = transform;
    const size = Math.hypot(c, d);
    if (text === '' || size === 0 || Math.abs(b) > 1e-3 * Math.abs(a) || Math.abs(c) > 1e-3 * Math.abs(d)) continue;
    runs.push({ text, x, y, width, size });
  }
  return runs;
}

/** Groups runs into lines top to bottom, each read left to right, with spaces where runs are apart. */
function linesOf(runs: readonly Run[]): Line[] {
  const sorted = [...runs].sort((p, q) => q.y - p.y || p.x - q.x);
  const groups: Run[][] = [];
  for (const run of sorted) {
    const group = groups[groups.length - 1];
    const anchor = group?.[0];
    if (group && anchor && Math.abs(anchor.y - run.y) < SAME_LINE * Math.max(anchor.size, run.size)) group.push(run);
    else groups.push([run]);
  }
  const lines: Line[] = [];
  for (const group of groups) {
    group.sort((p, q) => p.x - q.x);
    let text = '';
    let previous: Run | undefined;
    for (const run of group) {
      const gap = previous ? run.x - (previous.x + previous.width) : 0;
      if (previous && gap > WORD_GAP * run.size && !/\s$/.test(text) && !/^\s/.test(run.text)) text += ' ';
      text += run.text;
      previous = run;
    }
    const main = group.reduce((p, q) => (q.size > p.size ? q : p));
    if (text.trim()) lines.push({ text: text.trimEnd(), y: main.y, size: main.size });
  }
  return lines;
}

const sameSize = (p: Line, q: Line): boolean => Math.abs(p.size - q.size) <= SIZE_CHANGE * Math.max(p.size, q.size);

/** The document's normal line spacing as a multiple of the font size: the lower quartile of same-size line gaps. */
function normalSpacing(pages: readonly Line[][]): number {
  const ratios: number[] = [];
  for (const lines of pages) {
    for (let i = 1; i < lines.length; i += 1) {
      const [above, below] = [lines[i - 1], lines[i]];
      if (above && below && sameSize(above, below)) ratios.push((above.y - below.y) / below.size);
    }
  }
  ratios.sort((p, q) => p - q);
  return ratios[Math.floor(ratios.length / 4)] ?? DEFAULT_SPACING;
}

/** A page's lines, with a blank line wherever the gap above a line is wider than normal or the font size changes. */
function pageText(lines: readonly Line[], spacing: number): string {
  let text = '';
  lines.forEach((line, i) => {
    const above = lines[i - 1];
    if (above) {
      const gap = above.y - line.y;
      text += !sameSize(above, line) || gap > (spacing + PARAGRAPH_EXTRA) * line.size ? '\n\n' : '\n';
    }
    text += line.text;
  });
  return text;
}
