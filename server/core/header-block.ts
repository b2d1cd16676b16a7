// The optional header block at the very top of a speech text ("Title: …", "Speaker: …", "Date: …"), whose
// values are the speech's metadata as the person adding it states them. Its keys are the labels of the metadata
// fields (core/speech-meta.ts). Pure.

import { readLabelledLine, readLabelledValues, type DetectedMeta, type UnreadableMeta } from './front-matter.ts';
import type { MetaField } from './speech-meta.ts';

/** A header block found at the top of a text. */
export interface HeaderBlock {
  /** The values it gives; a `Date:` is converted to ISO, a `Speaker: Name, Role` gives the role too. */
  meta: DetectedMeta;
  /** Lines whose value could not be read, e.g. `Date: not given on page`; such a value is not in `meta`. */
  unreadable: UnreadableMeta;
  /** Offset just past its last line in the text (0 when there is no header block); the body starts here. */
  end: number;
}

/**
 * Reads the header block at the top of `raw`: after any blank lines, consecutive `Key: value` lines whose keys are
 * the field labels (Title, Speaker, Role, Date, Event, Place, Source; any case, any order). It ends at the first
 * blank line, line of another shape, or page break. Empty values are ignored; a repeated key keeps its first value.
 */
export function readHeaderBlock(raw: string): HeaderBlock {
  const values: Partial<Record<MetaField, string>> = {};
  let end = 0;
  // Blank lines (and a byte-order mark, which \s covers) before the block.
  const lead = /^\s*/.exec(raw)?.[0] ?? '';
  let at = Math.max(lead.lastIndexOf('\n'), lead.lastIndexOf('\r'), lead.lastIndexOf('\f')) + 1;
  while (at < raw.length) {
    const lineEnd = nextLineEnd(raw, at);
    const line = readLabelledLine(raw.slice(at, lineEnd));
    if (line === null) break;
    if (line.value !== '' && values[line.field] === undefined) values[line.field] = line.value;
    end = lineEnd;
    if (raw[lineEnd] === '\f') break;
    at = raw[lineEnd] === '\r' && raw[lineEnd + 1] === '\n' ? lineEnd + 2 : lineEnd + 1;
  }
  return { ...readLabelledValues(values), end };
}

/** Offset of the first line end (\n, \r or \f) at or after `from`, or the text's length. */
function nextLineEnd(raw: string, from: number): number {
  for (let i = from; i < raw.length; i += 1) {
    const ch = raw[i];
    if (ch === '\n' || ch === '\r' || ch === '\f') return i;
  }
  return raw.length;
}
