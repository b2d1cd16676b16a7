// `npm run eval -- <questions.json> [--mode lexical|dense|hybrid|all] [--k 1,3,5] [--json] [--set option=value]`:
// measures retrieval on a question file through the chat's own Retriever, per mode and per kind of question.

import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createConsoleLogger } from '../adapters/console-logger.ts';
import { loadCorpus } from '../adapters/corpus-folder.ts';
import { syncVectorIndex } from '../adapters/vector-index.ts';
import { loadConfig } from '../config.ts';
import { AppError, toAppError } from '../core/errors.ts';
import { judgeAnswer, parseEvalQuestions, summariseOutcomes, type EvalOutcome, type EvalReport } from '../core/evaluation.ts';
import { DEFAULT_RETRIEVAL_OPTIONS, type RetrievalOptions } from '../core/retriever.ts';
import type { RetrievalMode } from '../core/types.ts';
import { passagesOf } from '../core/passages.ts';
import { embedderLoaderFor, rerankerLoaderFor, synonymsLoaderFor } from '../model-loaders.ts';
import { buildRetriever, prepareDense, retrievalSettingsFor, type DenseSide, type RetrievalSettings } from '../retrieval-stack.ts';
import { formatEvalReport } from './eval-report.ts';
import { runCli } from './run-cli.ts';

const MODES: readonly RetrievalMode[] = ['lexical', 'dense', 'hybrid'];

/** Parses `--set key=value` overrides of the retrieval constants. */
function parseOverrides(pairs: readonly string[]): Partial<RetrievalOptions> {
  const overrides: Partial<RetrievalOptions> = {};
  for (const pair of pairs) {
    const [key, raw] = pair.split('=');
    const value = Number(raw);
    if (key === undefined || !Object.hasOwn(DEFAULT_RETRIEVAL_OPTIONS, key) || raw === undefined || raw === '' || !Number.isFinite(value)) {
      throw new AppError('bad_request', `--set ${pair}: expected one of ${Object.keys(DEFAULT_RETRIEVAL_OPTIONS).join(', ')} = a number`);
    }
    overrides[key as keyof RetrievalOptions] = value;
  }
  return overrides;
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      mode: { type: 'string', default: 'all' },
      k: { type: 'string', default: '1,3,5' },
      json: { type: 'boolean', default: false },
      set: { type: 'string', multiple: true, default: [] },
      expansion: { type: 'string', default: 'on' },
      rerank: { type: 'string', default: 'on' },
      calibrate: { type: 'string', default: 'on' },
      corpus: { type: 'string', multiple: true, default: [] },
    },
  });
  const file = positionals[0];
  if (file === undefined) throw new AppError('bad_request', 'usage: npm run eval -- <questions.json> [--mode lexical|dense|hybrid|all] [--k 1,3,5] [--json]');
  const ks = values.k.split(',').map(Number);
  if (ks.some((k) => !Number.isInteger(k) || k < 1 || k > 10)) throw new AppError('bad_request', '--k takes integers from 1 to 10, e.g. 1,3,5');
  if (values.mode !== 'all' && !MODES.includes(values.mode as RetrievalMode)) throw new AppError('bad_request', '--mode is lexical, dense, hybrid or all');
  for (const flag of ['expansion', 'rerank', 'calibrate'] as const) {
    if (values[flag] !== 'on' && values[flag] !== 'off') throw new AppError('bad_request', `--${flag} is on or off, not "${values[flag]}"`);
  }
  const questions = parseEvalQuestions(JSON.parse(await readFile(file, 'utf8')), file);
  const config = loadConfig(process.env);
  const log = createConsoleLogger({ prefix: 'eval' });
  const base = retrievalSettingsFor(config);
  // `--calibrate off` measures the default threshold as it stands, without the model's probes.
  const fixedDenseThreshold = values.calibrate === 'off' ? (base.fixedDenseThreshold ?? DEFAULT_RETRIEVAL_OPTIONS.minDenseScore) : base.fixedDenseThreshold;
  const settings: RetrievalSettings = { fixedDenseThreshold, overrides: parseOverrides(values.set) };
  const options = settings.overrides;

  const corpusDirs = values.corpus.length > 0 ? values.corpus.map((dir) => path.resolve(config.invocationDir ?? process.cwd(), dir)) : [config.corpusDir];
  const speeches = (await Promise.all(corpusDirs.map((dir) => loadCorpus(dir, { log })))).flat();
  const loadEmbedder = embedderLoaderFor(config);
  let dense: DenseSide | null = null;
  const indexDir = await mkdtemp(path.join(os.tmpdir(), 'idm-eval-'));
  try {
    if (loadEmbedder !== null && values.mode !== 'lexical') {
      try {
        const embedder = await loadEmbedder();
        const { store } = await syncVectorIndex({ dir: indexDir, embedder, passages: passagesOf(speeches) });
        dense = await prepareDense(embedder, store, { settings, log });
      } catch (error) {
        log.warn(`no model, so lexical mode only: ${toAppError(error).message}`);
      }
    }
    const loadSynonyms = values.expansion === 'off' ? null : synonymsLoaderFor(config);
    const synonyms = loadSynonyms === null ? null : await loadSynonyms();
    const loadReranker = values.rerank === 'off' || dense === null ? null : rerankerLoaderFor(config);
    const reranker = loadReranker === null ? null : await loadReranker().catch(() => null);

    const modes = values.mode === 'all' ? MODES.filter((mode) => mode === 'lexical' || dense !== null) : [values.mode as RetrievalMode];
    const reports: Record<string, EvalReport> = {};
    for (const mode of modes) {
      const retriever = buildRetriever({ speeches, dense, reranker, synonyms, settings, mode });
      const outcomes: EvalOutcome[] = [];
      for (const question of questions) {
        const started = performance.now();
        const answer = await retriever.ask(question.question, { topK: Math.max(...ks) });
        const ms = performance.now() - started;
        outcomes.push(judgeAnswer(question, answer, { rankedTexts: await retriever.rankAll(question.question), ms }));
      }
      reports[mode] = summariseOutcomes(outcomes, { ks });
    }
    const setup = {
      questions: file,
      count: questions.length,
      model: dense?.embedder.modelId ?? null,
      reranker: reranker?.modelId ?? null,
      expansion: synonyms !== null,
      denseThreshold: dense?.threshold ?? null,
      options: { ...DEFAULT_RETRIEVAL_OPTIONS, ...options },
    };
    if (values.json) {
      process.stdout.write(`${JSON.stringify({ ...setup, reports }, null, 2)}\n`);
      return;
    }
    process.stdout.write(`${questions.length} questions from ${file}; model ${setup.model ?? 'none'}; reranker ${setup.reranker ?? 'none'}; expansion ${setup.expansion ? 'on' : 'off'}\n\n`);
    for (const [mode, report] of Object.entries(reports)) process.stdout.write(`${formatEvalReport(mode, report, { ks })}\n`);
  } finally {
    await rm(indexDir, { recursive: true, force: true });
  }
}

runCli(main);
