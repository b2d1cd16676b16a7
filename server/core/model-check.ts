// The check that a freshly fetched embedding model really embeds meaning: paraphrase pairs must score clearly
// above unrelated pairs. Pure: the model is injected.

import { cosine } from './fusion.ts';
import type { Embedder } from './types.ts';

/** A question, a passage that answers it in other words, and a passage about something else. */
export interface CheckTriple {
  question: string;
  paraphrase: string;
  unrelated: string;
}

/** The triples of {@link checkEmbedder}; none comes from an evaluation set. */
export const MODEL_CHECK_TRIPLES: readonly CheckTriple[] = [
  {
    question: 'How many people leave their country every year?',
    paraphrase: 'Each year millions of people move abroad to live and work.',
    unrelated: 'Bake the bread for forty minutes until the crust is golden.',
  },
  {
    question: 'Who pays for the return of migrants?',
    paraphrase: 'The costs of assisted voluntary return are covered by donor governments.',
    unrelated: 'The orchestra played a symphony by Mozart.',
  },
];

/** How far above the unrelated passage's cosine the paraphrase's must be. */
export const MODEL_CHECK_MARGIN = 0.1;

/** What {@link checkEmbedder} found. */
export interface ModelCheckReport {
  ok: boolean;
  pairs: Array<{ paraphrase: number; unrelated: number }>;
}

/** Embeds the check triples and reports whether every paraphrase beats its unrelated passage by the margin. */
export async function checkEmbedder(embedder: Embedder, options: { margin?: number } = {}): Promise<ModelCheckReport> {
  const margin = options.margin ?? MODEL_CHECK_MARGIN;
  const questions = await embedder.embedQueries(MODEL_CHECK_TRIPLES.map((triple) => triple.question));
  const passages = await embedder.embedPassages(MODEL_CHECK_TRIPLES.flatMap((triple) => [triple.paraphrase, triple.unrelated]));
  const pairs = questions.map((question, i) => ({
    paraphrase: cosine(question, passages[2 * i]?.[0] ?? []),
    unrelated: cosine(question, passages[2 * i + 1]?.[0] ?? []),
  }));
  return { ok: pairs.every((pair) => pair.paraphrase >= pair.unrelated + margin), pairs };
}
