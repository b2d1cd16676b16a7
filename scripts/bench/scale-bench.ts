// `npm run bench -- --sizes …`: per corpus size, a synthetic corpus ingested with `npm run index`, then every
// figure a user meets (start, memory, answering in-process and over the socket, adding a speech, disk), each step
// bounded in time, side by side with plain baselines. Steps run one after another: the machine is shared.

import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DEFAULTS, PROJECT_ROOT } from '../../server/config.ts';
import { writeTinyModel } from '../tiny-model.ts';
import { readBenchQuestions } from './bench-questions.ts';
import { runStep, skippedStep, type StepResult } from './bench-step.ts';
import { failureOf, runProcess } from './child-process.ts';
import { bytesWritten, folderBytes, snapshotFolder } from './folder-snapshot.ts';
import { measureInProcess } from './in-process-bench.ts';
import { startProductServer, type StartedServer } from './product-server.ts';
import type { AddFigures, IndexFigures, LoadFigures, ScaleReport, ScaleSettings, SizeFigures, StartFigures } from './scale-figures.ts';
import { runSocketLoad } from './socket-load.ts';
import { createSpeechGenerator, readSeedSentences, speechText, writeSyntheticCorpus, PARAGRAPHS_PER_SPEECH } from './synthetic-corpus.ts';

/** The tiny model's dimension: that of the models the product ships with. */
const MODEL_DIMENSION = 384;
/** After the last question of a socket load, answers are waited for this many times its duration. */
const DRAIN_DURATIONS = 3;
/** In-process questions stop once they have taken this long (or the step's time is nearly up). */
const QUERY_BUDGET_MS = 60_000;
/** Server starts and in-process runs stop this long before their step's limit, to report how far they got. */
const STOP_MARGIN_MS = 15_000;

/** Where one size's corpus, index and model live, and the shared test inputs. */
interface SizeContext {
  settings: ScaleSettings;
  root: string;
  corpusDir: string;
  indexDir: string;
  modelDir: string;
  questions: readonly string[];
  sentences: readonly string[];
}

type Mode = 'lexical' | 'hybrid';

/** The product's configuration for a mode, in the environment of its commands; nothing else of ours leaks in. */
function productEnv(context: SizeContext, mode: Mode): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !Object.hasOwn(DEFAULTS, key)));
  return {
    ...env,
    CORPUS_DIR: context.corpusDir,
    INDEX_DIR: context.indexDir,
    MODEL_CACHE_DIR: path.join(context.root, 'model-cache'),
    ALLOW_REMOTE_MODELS: 'false',
    RERANK_MODEL_ID: 'none',
    ...(mode === 'lexical' ? { MODEL_ID: 'none' } : { MODEL_DIR: context.modelDir }),
  };
}

const limitOf = (context: SizeContext) => context.settings.stepTimeoutSeconds * 1000;
/** The time a server start or in-process run may take, leaving its step the margin to report how far it got. */
const runLimitOf = (context: SizeContext) => limitOf(context) - Math.min(STOP_MARGIN_MS, limitOf(context) / 10);

/** `npm run index` from scratch, timed from the command to its exit. */
async function measureIndex(context: SizeContext, paragraphs: number, signal: AbortSignal): Promise<IndexFigures> {
  const run = await runProcess('npm', ['run', 'index'], { env: productEnv(context, 'hybrid'), signal });
  if (run.code !== 0) throw new Error(failureOf(run));
  const seconds = run.ms / 1000;
  return { seconds, paragraphsPerSecond: paragraphs / seconds, indexBytes: folderBytes(await snapshotFolder(context.indexDir)) };
}

/** Starts `npm start` in `mode`, then (when `withLoad`) puts the socket load on it; the server is stopped after. */
async function measureServer(context: SizeContext, mode: Mode, options: { withLoad: boolean }): Promise<{ start: StepResult<StartFigures>; load?: StepResult<LoadFigures> }> {
  let server: StartedServer | null = null;
  const start = await runStep(`${mode} start`, limitOf(context), async (signal) => {
    server = await startProductServer({ env: productEnv(context, mode), waitForHybrid: mode === 'hybrid', timeLimitMs: runLimitOf(context), signal });
    const { toHealthMs, toHybridMs, health } = server;
    return { toHealthMs, ...(toHybridMs === null ? {} : { toHybridMs }), paragraphs: health.paragraphs, rssAfterStartMb: (await server.memory()).rssMb };
  });
  const running = server as StartedServer | null;
  if (start.status !== 'ok' || running === null) {
    await running?.stop();
    return { start, ...(options.withLoad ? { load: skippedStep('the server did not start') } : {}) };
  }
  try {
    if (!options.withLoad) return { start };
    const { clients, ratePerSecond, durationSeconds } = context.settings;
    const load = await runStep(`${mode} socket load, ${clients} clients × ${ratePerSecond}/s × ${durationSeconds} s`, limitOf(context), async (signal) => {
      const figures = await runSocketLoad({ url: running.url, clients, ratePerSecond, durationSeconds, questions: context.questions, drainMs: durationSeconds * 1000 * DRAIN_DURATIONS, signal });
      const memory = await running.memory();
      return { ...figures, rssAfterQuestionsMb: memory.rssMb, peakRssMb: memory.peakRssMb };
    });
    return { start, load };
  } finally {
    await running.stop();
  }
}

/** `npm run add` of one new 30-paragraph speech, timed, with what it wrote to corpus/ and index/. */
async function measureAdd(context: SizeContext, mode: Mode, speechFile: { path: string; args: string[] }, signal: AbortSignal): Promise<AddFigures> {
  const before = { corpus: await snapshotFolder(context.corpusDir), index: await snapshotFolder(context.indexDir) };
  const run = await runProcess('npm', ['run', 'add', '--', speechFile.path, ...speechFile.args], { env: productEnv(context, mode), signal });
  if (run.code !== 0) throw new Error(failureOf(run));
  return {
    seconds: run.ms / 1000,
    corpusBytesWritten: bytesWritten(before.corpus, await snapshotFolder(context.corpusDir)),
    indexBytesWritten: bytesWritten(before.index, await snapshotFolder(context.indexDir)),
  };
}

/** Writes the speeches `npm run add` adds (one per mode), outside the corpus, with their metadata as options. */
async function writeSpeechesToAdd(context: SizeContext): Promise<Record<Mode, { path: string; args: string[] }>> {
  const next = createSpeechGenerator(context.sentences, { seed: context.settings.seed + 7919, idPrefix: 'idm-syn-add' });
  const files = {} as Record<Mode, { path: string; args: string[] }>;
  for (const mode of ['hybrid', 'lexical'] as const) {
    const { meta, paragraphs } = next(PARAGRAPHS_PER_SPEECH);
    const file = path.join(context.root, 'to-add', `${mode}-speech.txt`);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, speechText({ meta, paragraphs }));
    const args = Object.entries(meta).flatMap(([field, value]) => (field === 'id' || value === '' ? [] : [`--${field}`, value]));
    files[mode] = { path: file, args };
  }
  return files;
}

/** Every step at one size, in a fresh folder under `root`, removed afterwards. */
async function measureSize(size: number, shared: Omit<SizeContext, 'corpusDir' | 'indexDir' | 'root'> & { root: string }): Promise<SizeFigures> {
  const started = performance.now();
  const loadAtStart = os.loadavg();
  const root = path.join(shared.root, `size-${size}`);
  // A kept folder from an earlier run would mix its corpus and index with this one's.
  await rm(root, { recursive: true, force: true });
  const context: SizeContext = { ...shared, root, corpusDir: path.join(root, 'corpus'), indexDir: path.join(root, 'index') };
  const limit = limitOf(context);
  const { settings } = context;
  try {
    const corpus = await runStep(`${size}: synthetic corpus`, limit, () => writeSyntheticCorpus(context.corpusDir, { paragraphs: size, sentences: context.sentences, seed: settings.seed }));
    if (corpus.status !== 'ok') throw new Error('the synthetic corpus could not be written');
    const index = await runStep(`${size}: npm run index`, limit, (signal) => measureIndex(context, corpus.figures.paragraphs, signal));
    const lexical = await measureServer(context, 'lexical', { withLoad: true });
    const hybrid = await measureServer(context, 'hybrid', { withLoad: settings.hybridLoad });
    const inProcess = (mode: Mode) =>
      runStep(`${size}: in-process ${mode} questions`, limit, (signal) =>
        measureInProcess(
          {
            mode,
            baselines: settings.baselines,
            rounds: settings.rounds,
            budgetMs: QUERY_BUDGET_MS,
            deadlineMs: runLimitOf(context),
            seed: settings.seed,
            output: path.join(root, `in-process-${mode}.json`),
          },
          { env: productEnv(context, mode), signal },
        ),
      );
    const inProcessLexical = await inProcess('lexical');
    const inProcessHybrid = await inProcess('hybrid');
    const toAdd = await writeSpeechesToAdd(context);
    const add = (mode: Mode) => runStep(`${size}: npm run add, ${mode}`, limit, (signal) => measureAdd(context, mode, toAdd[mode], signal));
    const addHybrid = await add('hybrid');
    const addLexical = await add('lexical');
    return {
      size,
      corpus,
      index,
      start: { lexical: lexical.start, hybrid: hybrid.start },
      socket: { lexical: lexical.load ?? skippedStep('not asked'), ...(hybrid.load === undefined ? {} : { hybrid: hybrid.load }) },
      inProcess: { lexical: inProcessLexical, hybrid: inProcessHybrid },
      add: { hybrid: addHybrid, lexical: addLexical },
      seconds: (performance.now() - started) / 1000,
      loadAverage: { start: loadAtStart, end: os.loadavg() },
    };
  } finally {
    if (context.settings.keepDir === null) await rm(root, { recursive: true, force: true });
  }
}

/**
 * Runs every size in turn; after each, calls `onSize` with the report so far (to write it out), and returns it.
 * Works in a temporary folder, removed at the end, or in `settings.keepDir`, kept.
 */
export async function runScaleBench(settings: ScaleSettings, options: { onSize: (report: ScaleReport) => Promise<void> }): Promise<ScaleReport> {
  const root = settings.keepDir ?? (await mkdtemp(path.join(os.tmpdir(), 'idm-scale-bench-')));
  if (settings.keepDir !== null) await mkdir(root, { recursive: true });
  try {
    const sentences = await readSeedSentences([path.join(PROJECT_ROOT, 'corpus'), path.join(PROJECT_ROOT, 'tests', 'fixtures', 'corpus-dev')]);
    const modelDir = path.join(root, 'tiny-model');
    await writeTinyModel(modelDir, { dimension: MODEL_DIMENSION, vocabulary: sentences.flatMap((sentence) => sentence.split(/\s+/)) });
    const questions = await readBenchQuestions();
    const cpus = os.cpus();
    const report: ScaleReport = {
      startedAt: new Date().toISOString(),
      machine: { cpus: cpus.length, cpuModel: cpus[0]?.model ?? 'unknown', memoryGb: os.totalmem() / 1024 ** 3, node: process.version, platform: `${os.platform()} ${os.release()}`, loadAverageAtStart: os.loadavg() },
      settings,
      corpusSource: { sentences: sentences.length, modelDimension: MODEL_DIMENSION },
      sizes: [],
    };
    for (const size of settings.sizes) {
      report.sizes.push(await measureSize(size, { settings, root, modelDir, questions, sentences }));
      await options.onSize(report);
    }
    return report;
  } finally {
    if (settings.keepDir === null) await rm(root, { recursive: true, force: true });
  }
}
