// Batching measured: paragraphs per second when building an index, per model batch size (sequences per model run)
// and per chunk (paragraphs handed to the embedder at once, within which it sorts by length to pad less).

import { quantile } from '../../server/core/evaluation.ts';
import type { Embedder } from '../../server/core/types.ts';

/** One cell of the batching table. */
export interface BatchFigure {
  batchSize: number;
  chunkSize: number;
  paragraphsPerSecond: number;
}

/** What {@link measureBatching} needs: a way to load the model at a batch size, and the paragraphs to embed. */
export interface BatchBenchOptions {
  loadEmbedder: (batchSize: number) => Promise<Embedder>;
  texts: readonly string[];
  batchSizes: readonly number[];
  chunkSizes: readonly number[];
  /** Passes over the texts per cell; the median is kept. */
  repeats: number;
}

async function embedInChunks(embedder: Embedder, texts: readonly string[], chunkSize: number): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < texts.length; i += chunkSize) await embedder.embedPassages(texts.slice(i, i + chunkSize));
  return (performance.now() - started) / 1000;
}

/**
 * Paragraphs per second for every batch size and chunk size, measured side by side: the cells take turns in each
 * repeat, so that a slower moment of a shared machine falls on all of them alike.
 */
export async function measureBatching(options: BatchBenchOptions): Promise<BatchFigure[]> {
  const embedders = new Map<number, Embedder>();
  for (const batchSize of options.batchSizes) embedders.set(batchSize, await options.loadEmbedder(batchSize));
  const cells = options.batchSizes.flatMap((batchSize) => options.chunkSizes.map((chunkSize) => ({ batchSize, chunkSize, seconds: [] as number[] })));
  // One pass first, unmeasured: the model's first runs allocate.
  await embedInChunks(embedders.get(options.batchSizes[0] ?? 1) as Embedder, options.texts.slice(0, 16), 16);
  for (let repeat = 0; repeat < options.repeats; repeat += 1) {
    for (const cell of cells) cell.seconds.push(await embedInChunks(embedders.get(cell.batchSize) as Embedder, options.texts, cell.chunkSize));
  }
  return cells.map(({ batchSize, chunkSize, seconds }) => ({ batchSize, chunkSize, paragraphsPerSecond: options.texts.length / quantile(seconds, 0.5) }));
}

/** The figures as a table: one row per batch size, one column per chunk size. */
export function formatBatching(figures: readonly BatchFigure[]): string {
  const chunkSizes = [...new Set(figures.map((figure) => figure.chunkSize))];
  const batchSizes = [...new Set(figures.map((figure) => figure.batchSize))];
  const best = Math.max(...figures.map((figure) => figure.paragraphsPerSecond));
  const cell = (batchSize: number, chunkSize: number): string => {
    const figure = figures.find((candidate) => candidate.batchSize === batchSize && candidate.chunkSize === chunkSize);
    if (figure === undefined) return '–';
    return `${figure.paragraphsPerSecond.toFixed(1)}/s${figure.paragraphsPerSecond === best ? ' (best)' : ''}`;
  };
  const lines = [
    `| model batch size | ${chunkSizes.map((size) => `chunk of ${size} paragraphs`).join(' | ')} |`,
    `|---|${chunkSizes.map(() => '---').join('|')}|`,
    ...batchSizes.map((batchSize) => `| ${batchSize} | ${chunkSizes.map((chunkSize) => cell(batchSize, chunkSize)).join(' | ')} |`),
  ];
  return lines.join('\n');
}
