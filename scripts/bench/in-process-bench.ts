// Answering measured in-process, through the service the server uses (opened as `npm start` configures it), side by
// side with a plain baseline in the same process. Runs in a child process, so that a step out of time can be stopped.

import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { failureOf, runProcess } from './child-process.ts';
import type { Latency } from './latency.ts';

/** What the child is asked to measure (the configuration comes with its environment). */
export interface InProcessRequest {
  mode: 'lexical' | 'hybrid';
  /** Also time the baseline: MiniSearch BM25 (lexical) or a Float32Array scan (hybrid). */
  baselines: boolean;
  /** Rounds over the questions, as many as fit in `budgetMs` of asking (at least {@link MIN_QUESTIONS} questions). */
  rounds: number;
  budgetMs: number;
  /** The whole run (opening, baseline, questions) must end within this many ms: the questions stop early for it. */
  deadlineMs: number;
  seed: number;
  /** Where the child writes its {@link InProcessFigures} as JSON. */
  output: string;
}

/** A baseline's times beside the product's, and the median of the paired product/baseline ratios. */
export interface BaselineFigures {
  /** MiniSearch's indexing time; absent for the vector scan. */
  buildMs?: number;
  queryMs: Latency;
  productOverBaseline: number;
}

/** What one in-process run measured. */
export interface InProcessFigures {
  /** From opening the service to answering in the asked mode. */
  openMs: number;
  speeches: number;
  paragraphs: number;
  queryMs: Latency;
  /** The process's resident memory after the questions. */
  rssMb: number;
  baseline?: BaselineFigures;
}

/** Questions asked however short the time: fewer make no median. */
export const MIN_QUESTIONS = 10;

const RUNNER = fileURLToPath(new URL('./in-process-run.ts', import.meta.url));

/**
 * Runs the measurement in a child process with `env` as its configuration.
 * @throws Error with the child's own error when it fails, or when `signal` aborts.
 */
export async function measureInProcess(request: InProcessRequest, options: { env: NodeJS.ProcessEnv; signal: AbortSignal }): Promise<InProcessFigures> {
  const run = await runProcess(process.execPath, ['--import', 'tsx', RUNNER, JSON.stringify(request)], options);
  if (run.code !== 0) throw new Error(failureOf(run));
  return JSON.parse(await readFile(request.output, 'utf8')) as InProcessFigures;
}
