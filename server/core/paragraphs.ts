// Splits a speech's raw text (as pulled from a PDF) into content paragraphs with offsets into the raw text:
// removes page headers/footers, repairs paragraphs cut by page breaks, and sets front matter aside. Pure.

import { isFrontMatterBlock, parseFrontMatter, type DetectedMeta, type UnreadableMeta } from './front-matter.ts';
import { readHeaderBlock } from './header-block.ts';
import type { Paragraph } from './types.ts';

export type { DetectedMeta } from './front-matter.ts';

/** A speech split into its content paragraphs and the metadata found in its front matter. */
export interface SplitSpeech {
  paragraphs: Paragraph[];
  frontMatter: DetectedMeta;
  /** Header-block lines whose value could not be read, e.g. `Date: not given on page`. */
  unreadable: UnreadableMeta;
}

/** One non-blank line; `start`/`end` bound its trimmed text in the raw string. */
interface Line {
  text: string;
  start: number;
  end: number;
}
/** Lines separated from the next block by one blank line. */
type Block = Line[];
/** Blocks between two page breaks. */
type Page = Block[];

/** Headers and footers are looked for among this many non-empty lines at each edge of a page. */
const PAGE_EDGE_LINES = 4;
/** A running header or footer is short; longer repeated lines are left alone. */
const MAX_FURNITURE_CHARS = 120;
/** A salutation line ("Ladies and Gentlemen,") is at most this long. */
const MAX_SALUTATION_CHARS = 80;
/** A heading ("Conclusions") is at most this long. */
const MAX_HEADING_CHARS = 100;

const PAGE_NUMBER = /^(?:(?:page|p\.|pg\.?)\s*)?[-–—]?\s*\d{1,3}\s*[-–—]?(?:\s*(?:of|\/)\s*\d{1,3})?$/i;
// Sentence end, possibly followed by closing quotes or brackets: ". ! ? : ; …".
const TERMINAL = /[.!?:;…]["'”’»)\]]*$/;
const WORD_FRAGMENT = /\p{L}-$/u;
const STARTS_LOWERCASE = /^["'“‘(\[]*\p{Ll}/u;
const MARKUP_PAIRS: readonly RegExp[] = [
  /(?<![\p{L}\p{N}*])\*\*(?=\S)[\s\S]*?\S\*\*(?![\p{L}\p{N}*])/gu,
  /(?<![\p{L}\p{N}_])__(?=\S)[\s\S]*?\S__(?![\p{L}\p{N}_])/gu,
  /(?<![\p{L}\p{N}*])\*(?=[^\s*])[^*]*?[^\s*]\*(?![\p{L}\p{N}*])/gu,
  /(?<![\p{L}\p{N}_])_(?=[^\s_])[^_]*?[^\s_]_(?![\p{L}\p{N}_])/gu,
];

/**
 * Cuts raw text, from offset `from`, into pages of blocks of lines.
 * Form feeds and 2+ blank lines break pages; 1 blank line breaks blocks.
 */
function scanPages(raw: string, from: number): Page[] {
  const pages: Page[] = [[]];
  let blankRun = 0;
  let forcedBreak = false;
  const addLine = (start: number, end: number): void => {
    const text = raw.slice(start, end);
    const lead = text.length - text.trimStart().length;
    const trimmed = text.trim();
    if (!trimmed) {
      blankRun += 1;
      return;
    }
    const line: Line = { text: trimmed, start: start + lead, end: start + lead + trimmed.length };
    let page = pages[pages.length - 1] ?? [];
    if ((forcedBreak || blankRun >= 2) && page.length > 0) {
      page = [];
      pages.push(page);
    }
    const block = page[page.length - 1];
    if (block && blankRun === 0 && !forcedBreak) block.push(line);
    else page.push([line]);
    blankRun = 0;
    forcedBreak = false;
  };
  let lineStart = from;
  for (let i = from; i < raw.length; i += 1) {
    const ch = raw[i];
    if (ch !== '\n' && ch !== '\r' && ch !== '\f') continue;
    // A form feed ends the line it is on but is not itself a blank line.
    if (ch !== '\f' || raw.slice(lineStart, i).trim()) addLine(lineStart, i);
    if (ch === '\f') forcedBreak = true;
    if (ch === '\r' && raw[i + 1] === '\n') i += 1;
    lineStart = i + 1;
  }
  addLine(lineStart, raw.length);
  return pages.filter((page) => page.length > 0);
}

/** Case-, whitespace- and number-insensitive key, so "Page 3" and "page 4" match. */
const furnitureKey = (text: string): string => text.toLowerCase().replace(/\s+/g, ' ').replace(/\d+/g, '#');

/** Removes running headers/footers (short lines repeated at page edges on 2+ pages) and bare page numbers at page edges. */
function stripPageFurniture(pages: readonly Page[]): Page[] {
  const edgeLines = (page: Page): Line[] => {
    const lines = page.flat();
    return [...lines.slice(0, PAGE_EDGE_LINES), ...lines.slice(-PAGE_EDGE_LINES)];
  };
  const pagesWithKey = new Map<string, number>();
  for (const page of pages) {
    for (const key of new Set(edgeLines(page).map((l) => furnitureKey(l.text)))) {
      pagesWithKey.set(key, (pagesWithKey.get(key) ?? 0) + 1);
    }
  }
  const isFurniture = (line: Line): boolean =>
    PAGE_NUMBER.test(line.text) ||
    (line.text.length <= MAX_FURNITURE_CHARS && (pagesWithKey.get(furnitureKey(line.text)) ?? 0) >= 2);

  return pages
    .map((page) => {
      const lines = page.flat();
      const removed = new Set<Line>();
      // Only runs that touch the page edge are furniture; the same text mid-page is content.
      for (let i = 0; i < Math.min(PAGE_EDGE_LINES, lines.length); i += 1) {
        const line = lines[i];
        if (!line || !isFurniture(line)) break;
        removed.add(line);
      }
      for (let i = lines.length - 1; i >= Math.max(0, lines.length - PAGE_EDGE_LINES); i -= 1) {
        const line = lines[i];
        if (!line || !isFurniture(line)) break;
        removed.add(line);
      }
      return page.map((block) => block.filter((l) => !removed.has(l))).filter((block) => block.length > 0);
    })
    .filter((page) => page.length > 0);
}

/** True when the text before a page break and the text after it are one paragraph cut in two. */
function continuesAcrossBreak(before: string, after: string): boolean {
  return WORD_FRAGMENT.test(before) || (!TERMINAL.test(before) && STARTS_LOWERCASE.test(after));
}

/** Flattens pages into blocks, joining a page's first block onto the previous page's last when it continues it. */
function joinPages(pages: readonly Page[]): Block[] {
  const blocks: Block[] = [];
  for (const page of pages) {
    page.forEach((block, i) => {
      const previous = blocks[blocks.length - 1];
      const last = previous?.[previous.length - 1];
      const first = block[0];
      if (i === 0 && previous && last && first && continuesAcrossBreak(last.text, first.text)) previous.push(...block);
      else blocks.push([...block]);
    });
  }
  return blocks;
}

/** Text with the raw offset of each of its UTF-16 units; synthetic spaces carry the offset of the break they replace. */
interface MappedText {
  text: string;
  offsets: number[];
}

/** Joins a block's lines as soft wraps: a space, or nothing after a hyphenated fragment ("develop-" + "ment"). */
function joinLines(block: Block): MappedText {
  let text = '';
  const offsets: number[] = [];
  block.forEach((line, i) => {
    const previous = block[i - 1];
    if (previous && WORD_FRAGMENT.test(previous.text)) {
      if (/^\p{Ll}/u.test(line.text)) {
        text = text.slice(0, -1);
        offsets.pop();
      }
    } else if (previous) {
      text += ' ';
      offsets.push(previous.end);
    }
    text += line.text;
    for (let j = 0; j < line.text.length; j += 1) offsets.push(line.start + j);
  });
  return { text, offsets };
}

/** Removes markup wrappers (`**bold**`, `__bold__`, `*em*`, `_em_`), keeping the words, and folds whitespace. */
function cleanText(input: MappedText): MappedText {
  let { text, offsets } = input;
  for (const pattern of MARKUP_PAIRS) {
    const drop = new Set<number>();
    for (const m of text.matchAll(pattern)) {
      const width = m[0].startsWith('**') || m[0].startsWith('__') ? 2 : 1;
      const at = m.index;
      for (let k = 0; k < width; k += 1) drop.add(at + k).add(at + m[0].length - 1 - k);
    }
    if (drop.size === 0) continue;
    offsets = offsets.filter((_o, i) => !drop.has(i));
    text = filterUnits(text, drop);
  }
  let outText = '';
  const outOffsets: number[] = [];
  for (let i = 0; i < text.length; i += 1) {
    const ch = text.charAt(i);
    if (/\s/.test(ch)) {
      if (outText && !outText.endsWith(' ')) {
        outText += ' ';
        outOffsets.push(offsets[i] ?? -1);
      }
      continue;
    }
    outText += ch;
    outOffsets.push(offsets[i] ?? -1);
  }
  if (outText.endsWith(' ')) {
    outText = outText.slice(0, -1);
    outOffsets.pop();
  }
  return { text: outText, offsets: outOffsets };
}

function filterUnits(text: string, drop: ReadonlySet<number>): string {
  let out = '';
  for (let i = 0; i < text.length; i += 1) if (!drop.has(i)) out += text.charAt(i);
  return out;
}

/** A block of short lines each ending in a comma: "Excellencies,", "Ladies and Gentlemen,". */
const isSalutation = (lines: readonly string[]): boolean =>
  lines.every((l) => l.length <= MAX_SALUTATION_CHARS && l.endsWith(','));

/** A short text with no sentence-ending punctuation: "Conclusions". */
const isHeading = (text: string): boolean => text.length <= MAX_HEADING_CHARS && !TERMINAL.test(text);

/**
 * Splits a speech's raw text into content paragraphs (numbered 1..N, offsets into `raw`) and its front matter.
 * A header block at the top (`Title: …`, `Date: …`, see {@link readHeaderBlock}) is metadata only, and its values
 * win over those detected in free-form front matter. Running headers/footers and page numbers are dropped,
 * paragraphs cut by a page break are rejoined, soft line wraps are joined, markup wrappers removed; salutations
 * and headings are not paragraphs.
 */
export function splitSpeech(raw: string): SplitSpeech {
  const header = readHeaderBlock(raw);
  const blocks = joinPages(stripPageFurniture(scanPages(raw, header.end))).map((block) => {
    const mapped = cleanText(joinLines(block));
    const lines = block.map((line) => cleanText(joinLines([line])).text);
    return { mapped, lines };
  });

  let frontCount = 0;
  while (frontCount < blocks.length && isFrontMatterBlock(blocks[frontCount]?.lines ?? [])) frontCount += 1;
  const detected = parseFrontMatter(blocks.slice(0, frontCount).map((b) => b.lines));
  // Leading short lines with no front-matter cue at all are left to the ordinary rules below.
  if (Object.keys(detected).length === 0) frontCount = 0;
  const frontMatter: DetectedMeta = { ...detected, ...header.meta };

  const paragraphs: Paragraph[] = [];
  for (const { mapped, lines } of blocks.slice(frontCount)) {
    const first = mapped.offsets[0];
    const last = mapped.offsets[mapped.offsets.length - 1];
    if (first === undefined || last === undefined) continue;
    if (isSalutation(lines) || isHeading(mapped.text)) continue;
    paragraphs.push({ n: paragraphs.length + 1, text: mapped.text, start: first, end: last + 1 });
  }
  return { paragraphs, frontMatter, unreadable: header.unreadable };
}
