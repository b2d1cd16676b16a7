// The child process of an in-process measurement: opens the service as `npm start` would (configuration from the
// environment), asks the questions in rounds while time allows, pairs each answer with a baseline query, and writes
// the figures.

import { writeFile } from 'node:fs/promises';
import { loadConfig } from '../../server/config.ts';
import { quantile } from '../../server/core/evaluation.ts';
import type { Logger } from '../../server/core/logger.ts';
import type { QaService } from '../../server/qa-service.ts';
import { openConfiguredService } from '../../server/runtime.ts';
import { buildKeywordBaseline, exactTopK, randomUnitVectors } from './baselines.ts';
import { readBenchQuestions } from './bench-questions.ts';
import { MIN_QUESTIONS, type BaselineFigures, type InProcessFigures, type InProcessRequest } from './in-process-bench.ts';
import { latencyOf } from './latency.ts';

/** The vector baseline's dimension: the model the issue measures with. */
const BASELINE_DIMENSION = 384;
const TOP_K = 10;
const PROGRESS_EVERY_MS = 2_000;

/** Times one baseline query of question `turn`. */
type BaselineQuery = (question: string, turn: number) => void;

/** The baseline of a mode, over the same paragraphs (or as many vectors) as the service holds. */
function baselineOf(service: QaService, request: InProcessRequest): { query: BaselineQuery; buildMs?: number } {
  const paragraphs = service.status().paragraphs;
  if (request.mode === 'lexical') {
    const texts = service.listSpeeches().flatMap((summary) => service.getSpeech(summary.id).paragraphs.map((paragraph) => paragraph.text));
    const keyword = buildKeywordBaseline(texts);
    return { buildMs: keyword.buildMs, query: (question) => void keyword.search(question, TOP_K) };
  }
  const vectors = randomUnitVectors(paragraphs, BASELINE_DIMENSION, request.seed);
  const queries = randomUnitVectors(64, BASELINE_DIMENSION, request.seed + 1);
  return {
    query: (_question, turn) => {
      const row = turn % 64;
      void exactTopK(vectors, BASELINE_DIMENSION, queries.subarray(row * BASELINE_DIMENSION, (row + 1) * BASELINE_DIMENSION), TOP_K);
    },
  };
}

async function main(): Promise<void> {
  const request = JSON.parse(process.argv[2] ?? '') as InProcessRequest;
  const questions = await readBenchQuestions();
  const warnings: string[] = [];
  const log: Logger = { info: () => {}, warn: (message) => warnings.push(message), error: (message) => warnings.push(message) };
  const opened = performance.now();
  // Progress on stderr: the last line says how far a run got when its step runs out of time.
  process.stderr.write(`opening the service (${request.mode})\n`);
  let reported = 0;
  const onIndexProgress = ({ done, total }: { done: number; total: number }) => {
    if (performance.now() - reported < PROGRESS_EVERY_MS) return;
    reported = performance.now();
    process.stderr.write(`index: embedding paragraphs: ${done}/${total}\n`);
  };
  const service = await openConfiguredService(loadConfig(process.env), { log, onIndexProgress });
  try {
    await service.modelSettled();
    const openMs = performance.now() - opened;
    const status = service.status();
    if (status.mode !== request.mode) throw new Error(`the service answers in ${status.mode} mode, not ${request.mode}: ${warnings.at(-1) ?? 'no warning'}`);
    process.stderr.write(`answering in ${status.mode} mode after ${(openMs / 1000).toFixed(1)} s; asking\n`);
    const baseline = request.baselines ? baselineOf(service, request) : null;
    const times: number[] = [];
    const baselineTimes: number[] = [];
    const ratios: number[] = [];
    const started = performance.now();
    const budgetMs = Math.min(request.budgetMs, request.deadlineMs - (started - opened));
    const timeLeft = () => times.length < MIN_QUESTIONS || performance.now() - started < budgetMs;
    for (let round = 0; round < request.rounds && timeLeft(); round += 1) {
      for (const question of questions) {
        if (!timeLeft()) break;
        let before = performance.now();
        await service.ask(question, { topK: 3 });
        times.push(performance.now() - before);
        if (baseline === null) continue;
        before = performance.now();
        baseline.query(question, times.length);
        baselineTimes.push(performance.now() - before);
        ratios.push((times.at(-1) as number) / (baselineTimes.at(-1) as number));
      }
    }
    const baselineFigures: BaselineFigures | undefined =
      baseline === null ? undefined : { ...(baseline.buildMs === undefined ? {} : { buildMs: baseline.buildMs }), queryMs: latencyOf(baselineTimes), productOverBaseline: quantile(ratios, 0.5) };
    const figures: InProcessFigures = {
      openMs,
      speeches: status.speeches,
      paragraphs: status.paragraphs,
      queryMs: latencyOf(times),
      rssMb: process.memoryUsage().rss / 1024 / 1024,
      ...(baselineFigures === undefined ? {} : { baseline: baselineFigures }),
    };
    await writeFile(request.output, JSON.stringify(figures));
  } finally {
    await service.close();
  }
}

main().then(
  // The service keeps no handle that must end on its own; the figures are written.
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
