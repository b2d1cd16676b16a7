// The passages of a corpus: every content paragraph of every speech, addressed by a stable key. Pure.

import type { Passage, Speech } from './types.ts';

/** The key of a paragraph in the corpus: `speechId#n`. */
export function passageKey(speechId: string, paragraph: number): string {
  return `${speechId}#${paragraph}`;
}

/** Flattens speeches into the passages that are retrieved and indexed, in corpus order. */
export function passagesOf(speeches: readonly Speech[]): Passage[] {
  return speeches.flatMap(({ meta, paragraphs }) =>
    paragraphs.map((p) => ({ key: passageKey(meta.id, p.n), speechId: meta.id, paragraph: p.n, text: p.text })),
  );
}
