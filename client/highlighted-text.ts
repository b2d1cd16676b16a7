// Renders a passage with its highlight ranges as text nodes and <mark> elements — never as HTML.

/**
 * Cleans untrusted `[start, end)` ranges: drops malformed ones, clamps to the text, sorts and merges overlaps.
 * The server is trusted to mean well, not to be well-formed.
 */
export function normaliseRanges(ranges: unknown, textLength: number): Array<[number, number]> {
  if (!Array.isArray(ranges)) return [];
  const clean: Array<[number, number]> = [];
  for (const range of ranges) {
    if (!Array.isArray(range) || range.length < 2) continue;
    const [rawStart, rawEnd] = range as unknown[];
    if (typeof rawStart !== 'number' || typeof rawEnd !== 'number') continue;
    if (!Number.isFinite(rawStart) || !Number.isFinite(rawEnd)) continue;
    const start = Math.max(0, Math.min(textLength, Math.floor(rawStart)));
    const end = Math.max(0, Math.min(textLength, Math.floor(rawEnd)));
    if (end > start) clean.push([start, end]);
  }
  clean.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const merged: Array<[number, number]> = [];
  for (const range of clean) {
    const last = merged[merged.length - 1];
    if (last && range[0] <= last[1]) last[1] = Math.max(last[1], range[1]);
    else merged.push([range[0], range[1]]);
  }
  return merged;
}

/**
 * Builds `text` as a fragment of text nodes with each highlight range wrapped in `<mark>`.
 * The fragment's textContent always equals `text` exactly.
 */
export function highlightedText(text: string, ranges: unknown): DocumentFragment {
  const fragment = document.createDocumentFragment();
  let cursor = 0;
  for (const [start, end] of normaliseRanges(ranges, text.length)) {
    if (start > cursor) fragment.append(document.createTextNode(text.slice(cursor, start)));
    const mark = document.createElement('mark');
    mark.append(document.createTextNode(text.slice(start, end)));
    fragment.append(mark);
    cursor = end;
  }
  if (cursor < text.length) fragment.append(document.createTextNode(text.slice(cursor)));
  return fragment;
}
