// The optional header block at the very top of a speech text ("Title: …", "Speaker: …", "Date: …"), whose
// values are the speech's metadata as the person adding it states them. Pure.

import { findDate, type DetectedMeta } from './front-matter.ts';

/** A header block found at the top of a text. */
export interface HeaderBlock {
  /** The values it gives; a `Date:` is converted to ISO, and dropped when no date can be read in it. */
  meta: DetectedMeta;
  /** Offset just past its last line in the text (0 when there is no header block); the body starts here. */
  end: number;
}

const HEADER_KEYS = ['title', 'speaker', 'role', 'date', 'event', 'place', 'source'] as const;
type HeaderKey = (typeof HEADER_KEYS)[number];
const HEADER_LINE = new RegExp(`^\\s*(${HEADER_KEYS.join('|')})[^\\S\\n]*:(.*)$`, 'i');

/**
 * Reads the header block at the top of `raw`: after any blank lines, consecutive `Key: value` lines with keys
 * Title, Speaker, Role, Date, Event, Place, Source (any case, any order). It ends at the first blank line,
 * line of another shape, or page break. Empty values are ignored; a repeated key keeps its first value.
 */
export function readHeaderBlock(raw: string): HeaderBlock {
  const meta: DetectedMeta = {};
  let end = 0;
  // Blank lines (and a byte-order mark, which \s covers) before the block.
  const lead = /^\s*/.exec(raw)?.[0] ?? '';
  let at = Math.max(lead.lastIndexOf('\n'), lead.lastIndexOf('\r'), lead.lastIndexOf('\f')) + 1;
  while (at < raw.length) {
    const lineEnd = nextLineEnd(raw, at);
    const match = HEADER_LINE.exec(raw.slice(at, lineEnd));
    if (!match) break;
    const key = (match[1] ?? '').toLowerCase() as HeaderKey;
    const value = (match[2] ?? '').replace(/\s+/g, ' ').trim();
    if (value && meta[key] === undefined) {
      if (key !== 'date') meta[key] = value;
      else {
        const iso = findDate(value)?.iso;
        if (iso !== undefined) meta.date = iso;
      }
    }
    end = lineEnd;
    if (raw[lineEnd] === '\f') break;
    at = raw[lineEnd] === '\r' && raw[lineEnd + 1] === '\n' ? lineEnd + 2 : lineEnd + 1;
  }
  return { meta, end };
}

/** Offset of the first line end (\n, \r or \f) at or after `from`, or the text's length. */
function nextLineEnd(raw: string, from: number): number {
  for (let i = from; i < raw.length; i += 1) {
    const ch = raw[i];
    if (ch === '\n' || ch === '\r' || ch === '\f') return i;
  }
  return raw.length;
}
