// The text of a Word .docx, via mammoth's document model: one paragraph per Word paragraph, separated by a
// blank line; line breaks inside a paragraph kept as line ends.

import mammoth from 'mammoth';
import { AppError } from '../core/errors.ts';
import { checkZipBounds } from './zip-bomb-guard.ts';

/** The part of mammoth's document model read here (see mammoth's "transforms" documentation). */
interface DocxElement {
  type: string;
  value?: string;
  children?: DocxElement[];
}

/** Raw text as mammoth's extractRawText writes it, except that breaks become '\n' instead of vanishing. */
function textOf(element: DocxElement): string {
  if (element.type === 'text') return element.value ?? '';
  if (element.type === 'tab') return '\t';
  // extractRawText drops breaks, gluing "Director General" + "International…" into one word.
  if (element.type === 'break') return '\n';
  const inner = (element.children ?? []).map(textOf).join('');
  return element.type === 'paragraph' ? `${inner}\n\n` : inner;
}

/** Reads the body of a .docx (no headers, footers, footnotes or comments) as mammoth's raw text, with breaks kept. */
async function rawTextOf(bytes: Uint8Array): Promise<string> {
  let text = '';
  await mammoth.convertToHtml(
    { buffer: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) },
    {
      externalFileAccess: false,
      // The text is taken from the model here; handing mammoth an empty body leaves it no HTML (or images) to render.
      transformDocument: (document: DocxElement) => {
        text = textOf(document);
        return { ...document, children: [] };
      },
    },
  );
  return text;
}

/**
 * Extracts the text of a .docx: paragraphs separated by one blank line (empty Word paragraphs used as spacing
 * are dropped, so they cannot read as page breaks); line breaks inside a paragraph stay as '\n'.
 * The archive is checked first (see zip-bomb-guard.ts): nothing inflates past `maxInflatedBytes`.
 * @throws AppError `unsupported_type` for a zip that is not a Word document, `unreadable` for a damaged one,
 *   `too_large` for one that declares or inflates to more than `maxInflatedBytes`.
 */
export async function extractDocxText(bytes: Uint8Array, options: { name: string; maxInflatedBytes: number }): Promise<string> {
  checkZipBounds(bytes, { maxInflatedBytes: options.maxInflatedBytes }, { name: options.name });
  let raw: string;
  try {
    raw = await rawTextOf(bytes);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    // mammoth's wording when the zip holds no Word document part.
    if (/main document part/i.test(message)) {
      throw new AppError('unsupported_type', `${options.name}: the file is a zip archive but not a Word document`, { cause: error });
    }
    throw new AppError('unreadable', `${options.name}: the Word document is damaged and cannot be read`, { cause: error });
  }
  const paragraphs = raw
    .replace(/\r\n?/g, '\n')
    .split(/\n[^\S\n]*\n/)
    .map((p) => p.replace(/[^\S\n]+$/gm, '').replace(/^\n+|\n+$/g, ''))
    .filter((p) => p.trim() !== '');
  return paragraphs.length > 0 ? `${paragraphs.join('\n\n')}\n` : '';
}
