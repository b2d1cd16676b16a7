// The figures of a scale run, as written to JSON: per corpus size, each step's outcome with its figures.

import type { StepResult } from './bench-step.ts';
import type { InProcessFigures } from './in-process-bench.ts';
import type { SocketLoadFigures } from './socket-load.ts';

/** The synthetic corpus as written. */
export interface CorpusFigures {
  speeches: number;
  paragraphs: number;
  bytes: number;
}

/** `npm run index` from scratch. */
export interface IndexFigures {
  seconds: number;
  paragraphsPerSecond: number;
  /** Everything in the index folder afterwards. */
  indexBytes: number;
}

/** `npm start` until it answers. */
export interface StartFigures {
  toHealthMs: number;
  /** Until health reports hybrid mode (hybrid servers only). */
  toHybridMs?: number;
  /** Paragraphs the server reports. */
  paragraphs: number;
  /** The server process's resident memory once answering (in hybrid mode, for a hybrid server). */
  rssAfterStartMb: number;
}

/** The socket load, and the server's memory after it. */
export interface LoadFigures extends SocketLoadFigures {
  rssAfterQuestionsMb: number;
  peakRssMb: number;
}

/** `npm run add` of one 30-paragraph speech. */
export interface AddFigures {
  seconds: number;
  corpusBytesWritten: number;
  indexBytesWritten: number;
}

/** Lexical (no model) and hybrid (the tiny 384-dimension model) outcomes of one kind of step. */
export interface ByMode<T> {
  lexical: StepResult<T>;
  hybrid: StepResult<T>;
}

/** Everything measured at one corpus size. */
export interface SizeFigures {
  /** Paragraphs asked for. */
  size: number;
  corpus: StepResult<CorpusFigures>;
  index: StepResult<IndexFigures>;
  start: ByMode<StartFigures>;
  /** Socket loads: on the lexical server always, on the hybrid one with `--hybrid`. */
  socket: { lexical: StepResult<LoadFigures>; hybrid?: StepResult<LoadFigures> };
  inProcess: ByMode<InProcessFigures>;
  add: ByMode<AddFigures>;
  /** Wall time of the whole size. */
  seconds: number;
  /** The machine's load average (1, 5, 15 minutes) when the size started and ended. */
  loadAverage: { start: number[]; end: number[] };
}

/** How the run was made. */
export interface ScaleSettings {
  sizes: number[];
  clients: number;
  ratePerSecond: number;
  durationSeconds: number;
  rounds: number;
  stepTimeoutSeconds: number;
  baselines: boolean;
  hybridLoad: boolean;
  seed: number;
  /** Work in this folder and keep it (corpora, indexes, the tiny model) for a closer look; null: a temporary one, removed. */
  keepDir: string | null;
}

/** The whole run, as `--json` writes it. */
export interface ScaleReport {
  startedAt: string;
  machine: { cpus: number; cpuModel: string; memoryGb: number; node: string; platform: string; loadAverageAtStart: number[] };
  settings: ScaleSettings;
  /** Seed sentences the corpora are built from, and the tiny model's dimension. */
  corpusSource: { sentences: number; modelDimension: number };
  sizes: SizeFigures[];
}
