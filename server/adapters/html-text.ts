// The speech on a web page: its main content found by Mozilla's Readability (navigation, sidebars, footers and
// related links left out) on a linkedom DOM, as plain text with one paragraph per block, preceded by a header
// block of what the page's metadata says (title, and the speaker and date when the text itself does not say them).

import { Readability } from '@mozilla/readability';
import { parseHTML } from 'linkedom';
import { AppError } from '../core/errors.ts';
import { findDate } from '../core/front-matter.ts';
import { splitSpeech } from '../core/paragraphs.ts';
import { cleanMetaValue, SPEECH_FIELDS, type MetaFields } from '../core/speech-meta.ts';

/**
 * Pages with more elements than this are refused rather than searched for their content (a speech page has a few
 * thousand; Readability takes seconds per ten thousand).
 */
const MAX_ELEMENTS = 30_000;
/** Pages nested deeper than this are refused: Readability walks them recursively (a real page nests a few dozen deep). */
const MAX_DEPTH = 400;
/** How far into the bytes a `<meta charset>` is looked for, as browsers do. */
const CHARSET_SNIFF_BYTES = 1024;
/** A byline longer than this is prose, not a name. */
const MAX_BYLINE_CHARS = 120;
/** A block above the speech longer than this is text of its own, not a speaker, event or dateline line. */
const MAX_LEAD_CHARS = 120;
/** How many blocks above the speech are looked at for those lines. */
const MAX_LEAD_STEPS = 10;

/** Elements that end one block of text and start another. */
const BLOCK_ELEMENTS = new Set(
  'ADDRESS ARTICLE ASIDE BLOCKQUOTE CAPTION DD DETAILS DIV DL DT FIELDSET FIGCAPTION FIGURE FOOTER FORM H1 H2 H3 H4 H5 H6 HEADER HR LI MAIN NAV OL P PRE SECTION SUMMARY TABLE TBODY TD TFOOT TH THEAD TR UL'.split(
    ' ',
  ),
);
/** Elements whose content is never text of the page. */
const SKIPPED_ELEMENTS = new Set(['SCRIPT', 'STYLE', 'NOSCRIPT', 'TEMPLATE', 'SVG', 'IFRAME', 'OBJECT', 'BUTTON', 'SELECT']);
const ELEMENT_NODE = 1;
const TEXT_NODE = 3;

/** The charset a page declares in a `<meta>` near its top, if any. */
function declaredCharset(bytes: Uint8Array): string | null {
  let head = '';
  for (const byte of bytes.subarray(0, CHARSET_SNIFF_BYTES)) head += String.fromCharCode(byte);
  return /<meta[^>]+charset\s*=\s*["']?([\w.:-]+)/i.exec(head)?.[1]?.toLowerCase() ?? null;
}

/** Decodes a page: a byte-order mark, then the charset of its Content-Type, then its `<meta charset>`, else UTF-8. */
function decodePage(bytes: Uint8Array, charset: string | null): string {
  const bom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 'utf-8' : bytes[0] === 0xff && bytes[1] === 0xfe ? 'utf-16le' : bytes[0] === 0xfe && bytes[1] === 0xff ? 'utf-16be' : null;
  for (const label of [bom, charset, declaredCharset(bytes)]) {
    if (label === null) continue;
    try {
      return new TextDecoder(label).decode(bytes);
    } catch {
      // An unknown label: try the next source.
    }
  }
  return new TextDecoder('utf-8').decode(bytes);
}

/** One block of a page's text, and how much of it is link text (menus, share buttons, tag lists). */
interface TextBlock {
  text: string;
  linkShare: number;
}

/** The page's text in blocks: one per paragraph, heading or list item; `<br>` kept as a line end. */
function textBlocks(root: Node): TextBlock[] {
  const blocks: TextBlock[] = [];
  let current = '';
  let linked = 0;
  const flush = () => {
    const lines = current.split('\n').map((line) => line.replace(/[^\S\n]+/g, ' ').trim()).filter((line) => line !== '');
    const text = lines.join('\n');
    if (text !== '') blocks.push({ text, linkShare: Math.min(1, linked / text.replace(/\s/g, '').length) });
    current = '';
    linked = 0;
  };
  // Iterative, so that a page nested thousands deep cannot overflow the stack.
  const stack: Array<Node | 'end-block'> = [root];
  while (stack.length > 0) {
    const node = stack.pop();
    if (node === undefined) break;
    if (node === 'end-block') {
      flush();
      continue;
    }
    if (node.nodeType === TEXT_NODE) {
      const text = (node.textContent ?? '').replace(/\s+/g, ' ');
      current += text;
      if (node.parentElement?.closest('a') != null) linked += text.replace(/\s/g, '').length;
      continue;
    }
    if (node.nodeType !== ELEMENT_NODE) continue;
    const tag = (node as Element).tagName.toUpperCase();
    if (SKIPPED_ELEMENTS.has(tag)) continue;
    if (tag === 'BR') {
      current += '\n';
      continue;
    }
    const isBlock = BLOCK_ELEMENTS.has(tag);
    if (isBlock) {
      flush();
      stack.push('end-block');
    }
    const children = [...node.childNodes];
    for (let i = children.length - 1; i >= 0; i -= 1) stack.push(children[i] as Node);
  }
  flush();
  return blocks;
}

const normalised = (text: string): string => text.replace(/\s+/g, ' ').trim().toLowerCase();

/**
 * The short lines just above the speech on the page that Readability left out of its content: the speaker, the
 * event and the dateline often sit in a block of their own between the title and the text. Walking up from the
 * first paragraph of the content, short blocks are kept (link lists such as share buttons skipped) until the title,
 * a long block, or a few blocks have been seen.
 */
function leadBlocks(page: readonly TextBlock[], content: readonly TextBlock[], titles: ReadonlySet<string>): string[] {
  const first = content.find((block) => block.text.length > MAX_LEAD_CHARS);
  const at = first === undefined ? -1 : page.findIndex((block) => block.text === first.text);
  const lead: string[] = [];
  for (let i = at - 1; i >= 0 && i >= at - MAX_LEAD_STEPS; i -= 1) {
    const block = page[i] as TextBlock;
    if (titles.has(normalised(block.text)) || block.text.length > MAX_LEAD_CHARS) break;
    if (block.linkShare <= 0.5) lead.unshift(block.text);
  }
  return lead;
}

const metaContent = (document: Document, selectors: readonly string[]): string => {
  for (const selector of selectors) {
    const value = document.querySelector(selector)?.getAttribute('content')?.trim();
    if (value) return value;
  }
  return '';
};

/** The calendar day a date value names: an ISO timestamp's own day (the page's local date), or a written date. */
function dayOf(value: string): string | undefined {
  return /^(\d{4}-\d{2}-\d{2})(?:[T\s]|$)/.exec(value.trim())?.[1] ?? findDate(value)?.iso;
}

/** What the page says about itself, read before Readability changes the document. */
interface PageMeta {
  title: string;
  siteName: string;
  author: string;
  /** Dates in order of trust: the publication date of its metadata, then `<time>` and dateline elements. */
  dates: string[];
}

function readPageMeta(document: Document): PageMeta {
  const author = metaContent(document, ['meta[name="author"]', 'meta[property="article:author"]', 'meta[name="dc.creator"]', 'meta[name="DC.creator"]']);
  const dates = [
    metaContent(document, ['meta[property="article:published_time"]', 'meta[name="date"]', 'meta[name="dcterms.date"]', 'meta[name="DC.date"]', 'meta[itemprop="datePublished"]']),
    ...[...document.querySelectorAll('time[datetime]')].map((node) => node.getAttribute('datetime') ?? ''),
    ...[...document.querySelectorAll('time, [class*="dateline"], [class*="date"]')].slice(0, 10).map((node) => node.textContent ?? ''),
  ];
  return {
    title: metaContent(document, ['meta[property="og:title"]', 'meta[name="twitter:title"]', 'meta[name="dc.title"]']),
    siteName: metaContent(document, ['meta[property="og:site_name"]', 'meta[name="application-name"]']),
    // An author given as a profile address is no name.
    author: /^https?:/i.test(author) ? '' : author,
    dates: dates.filter((value) => value.trim() !== ''),
  };
}

/** A title without the site's name after a separator: "Opening remarks | IOM" → "Opening remarks". */
function withoutSiteName(title: string, siteName: string): string {
  if (siteName === '') return title;
  const match = /^(.+?)\s+[|–—-]\s+(.+)$/.exec(title);
  return match !== null && normalised(match[2] ?? '') === normalised(siteName) ? (match[1] ?? title) : title;
}

/** A byline as a speaker: "By Ana Ferreira" → "Ana Ferreira"; a date or a long text is none. */
function speakerOf(byline: string): string {
  const text = cleanMetaValue(byline).replace(/^(?:by|speaker:?)\s+/i, '');
  return text.length > MAX_BYLINE_CHARS || findDate(text) !== undefined ? '' : text;
}

/** @throws AppError `too_large` for a page of more than {@link MAX_ELEMENTS} elements or nested deeper than {@link MAX_DEPTH}. */
function checkShape(document: Document, name: string): void {
  let elements = 0;
  const stack: Array<[Element, number]> = document.documentElement === null ? [] : [[document.documentElement, 1]];
  while (stack.length > 0) {
    const [element, depth] = stack.pop() as [Element, number];
    elements += 1;
    if (elements > MAX_ELEMENTS) throw new AppError('too_large', `${name}: the page has more than ${MAX_ELEMENTS} elements`);
    if (depth > MAX_DEPTH) throw new AppError('too_large', `${name}: the page is nested more than ${MAX_DEPTH} elements deep`);
    for (const child of element.children) stack.push([child, depth + 1]);
  }
}

/** Runs Readability; its failures are the page's, not ours. */
function readArticle(document: Document, name: string): ReturnType<Readability<Node>['parse']> {
  try {
    return new Readability<Node>(document, { serializer: (node) => node }).parse();
  } catch (error) {
    throw new AppError('unreadable', `${name}: the page could not be read (${(error as Error).message})`, { cause: error });
  }
}

/**
 * Extracts the speech of a web page as plain text: a header block (`Title:`, and `Speaker:` and `Date:` when the
 * text's own front matter lacks them) from the page's metadata, a blank line, then the main content's blocks
 * separated by blank lines.
 * @param options.charset the charset the page was served with, if any.
 * @throws AppError `unreadable` when no text is found, `too_large` for a page of too many elements.
 */
export function extractHtmlText(bytes: Uint8Array, options: { name: string; charset?: string | null }): string {
  const { name } = options;
  const html = decodePage(bytes, options.charset ?? null);
  // linkedom makes no document of a fragment: a page without its <html> element gets one.
  const whole = /<html[\s>]/i.test(html) ? html : `<!DOCTYPE html><html><body>${html}</body></html>`;
  let page: Document;
  let copy: Document;
  try {
    // Readability rewrites the document it reads: it gets a copy of its own.
    page = parseHTML(whole).document;
    copy = parseHTML(whole).document;
  } catch (error) {
    throw new AppError('unreadable', `${name}: the page could not be read (${(error as Error).message})`, { cause: error });
  }
  checkShape(page, name);
  const meta = readPageMeta(page);
  const article = readArticle(copy, name);
  // A block that is nothing but links (a menu, "Download PDF | Print") is no part of a speech.
  const content = article?.content ? textBlocks(article.content).filter((block) => block.linkShare < 1) : [];
  if (content.length === 0) throw new AppError('unreadable', `${name}: no speech text was found on the page`);
  const title = withoutSiteName(cleanMetaValue(article?.title ?? '') || meta.title || cleanMetaValue(page.title ?? ''), meta.siteName);
  const titles = new Set([title, meta.title, page.title ?? '', ...[...page.querySelectorAll('h1')].map((node) => node.textContent ?? '')].map(normalised));
  const lead = page.body === null ? [] : leadBlocks(textBlocks(page.body), content, titles);
  // The content's own opening (a title, a salutation) stays first; the lines found above it follow, each once.
  const firstParagraph = Math.max(0, content.findIndex((block) => block.text.length > MAX_LEAD_CHARS));
  const opening = content.slice(0, firstParagraph).map((block) => block.text).filter((text) => !lead.includes(text));
  const body = [...opening, ...lead, ...content.slice(firstParagraph).map((block) => block.text)].join('\n\n');

  // What the text itself says (a dateline, a "Speaker:" line) is more precise than the page's metadata.
  const inText = splitSpeech(body).frontMatter;
  const byline = speakerOf(article?.byline ?? '') || speakerOf(meta.author);
  const date = [article?.byline ?? '', article?.publishedTime ?? '', ...meta.dates].map(dayOf).find((day) => day !== undefined);
  const header: MetaFields = {
    title,
    speaker: inText.speaker === undefined ? byline : '',
    date: inText.date === undefined ? (date ?? '') : '',
  };
  const lines = (Object.entries(header) as Array<[keyof typeof SPEECH_FIELDS, string]>)
    .filter(([, value]) => value !== '')
    .map(([field, value]) => `${SPEECH_FIELDS[field].label}: ${value}`);
  return lines.length === 0 ? body : `${lines.join('\n')}\n\n${body}`;
}
