// `npm run eval -- <questions.json> [--corpus dir…] [--mode lexical|dense|hybrid|all] [--k 1,3,5] [--json] [--set …]`:
// measures retrieval on a question file through the chat's own retrieval stack, per mode and per kind of question.

import { cp, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createConsoleLogger } from '../adapters/console-logger.ts';
import { CorpusIndex } from '../corpus-index.ts';
import { loadConfig, NO_MODEL_HINT } from '../config.ts';
import { plural } from '../core/counts.ts';
import { AppError, toAppError } from '../core/errors.ts';
import { judgeAnswer, parseEvalQuestions, summariseOutcomes, type EvalOutcome, type EvalReport } from '../core/evaluation.ts';
import { DEFAULT_RETRIEVAL_OPTIONS, type RetrievalOptions } from '../core/retriever.ts';
import type { RetrievalMode } from '../core/types.ts';
import { embedderLoaderFor, rerankerLoaderFor, synonymsLoaderFor } from '../model-loaders.ts';
import { buildRetriever, prepareDense, retrievalSettingsFor, type DenseSide, type RetrievalSettings } from '../retrieval-stack.ts';
import { formatEvalReport } from './eval-report.ts';
import { defineCommand, runCommand } from './command.ts';
import { readInputFile } from './input-file.ts';

const MODES: readonly RetrievalMode[] = ['lexical', 'dense', 'hybrid'];

/** Parses `--set key=value` overrides of the retrieval constants. */
function parseOverrides(pairs: readonly string[]): Partial<RetrievalOptions> {
  const overrides: Partial<RetrievalOptions> = {};
  for (const pair of pairs) {
    const [key, raw] = pair.split('=');
    const value = Number(raw);
    if (key === undefined || !Object.hasOwn(DEFAULT_RETRIEVAL_OPTIONS, key) || raw === undefined || raw === '' || !Number.isFinite(value)) {
      throw new AppError('usage', `--set ${pair}: expected one of ${Object.keys(DEFAULT_RETRIEVAL_OPTIONS).join(', ')} = a number`);
    }
    overrides[key as keyof RetrievalOptions] = value;
  }
  return overrides;
}

const EVAL_COMMAND = defineCommand({
  name: 'eval',
  summary: 'Measures retrieval on a question file through the chat\'s own retrieval stack: recall@k, MRR, no-answer precision and recall, per mode and kind.',
  args: '<questions.json>',
  minArgs: 1,
  maxArgs: 1,
  options: {
    mode: { type: 'string', value: 'lexical|dense|hybrid|all', default: 'all', description: 'which retrieval to measure' },
    k: { type: 'string', value: '1,3,5', default: '1,3,5', description: 'the cut-offs of recall@k, integers from 1 to 10' },
    json: { type: 'boolean', default: false, description: 'print the figures as JSON' },
    set: { type: 'string', value: 'option=value', multiple: true, default: [], description: `try another retrieval constant: ${Object.keys(DEFAULT_RETRIEVAL_OPTIONS).join(', ')}` },
    expansion: { type: 'string', value: 'on|off', default: 'on', description: 'query expansion with WordNet synonyms' },
    rerank: { type: 'string', value: 'on|off', default: 'on', description: 'reranking with the cross-encoder (dense and hybrid modes)' },
    calibrate: { type: 'string', value: 'on|off', default: 'on', description: 'calibrate the dense threshold on off-topic probes' },
    corpus: { type: 'string', value: 'dir', multiple: true, default: [], description: 'read the speeches from this corpus folder instead of CORPUS_DIR (repeatable)' },
  },
  notes: [
    'The file holds a JSON array of {id, kind, question, answer_quote, speech}; kind is keyword, paraphrase or unanswerable.',
    'Its name is relative to the folder the command is typed in. Dense and hybrid modes use the configured model (MODEL_DIR).',
    '',
    'example: npm run eval -- tests/fixtures/questions-swing-2018.json --mode lexical',
    'example: npm run eval -- tests/fixtures/questions-corpus-dev.json --corpus corpus --corpus tests/fixtures/corpus-dev',
  ],
});

runCommand(EVAL_COMMAND, async ({ values, args }) => {
  const file = args[0] ?? '';
  const ks = values.k.split(',').map(Number);
  if (ks.some((k) => !Number.isInteger(k) || k < 1 || k > 10)) throw new AppError('usage', '--k takes integers from 1 to 10, e.g. 1,3,5');
  if (values.mode !== 'all' && !MODES.includes(values.mode as RetrievalMode)) throw new AppError('usage', '--mode is lexical, dense, hybrid or all');
  for (const flag of ['expansion', 'rerank', 'calibrate'] as const) {
    if (values[flag] !== 'on' && values[flag] !== 'off') throw new AppError('usage', `--${flag} is on or off, not "${values[flag]}"`);
  }
  const config = loadConfig(process.env);
  const questions = parseEvalQuestions(parseJsonFile(await readInputFile(config.invocationDir ?? process.cwd(), file), file), file);
  const log = createConsoleLogger({ prefix: 'eval' });
  const base = retrievalSettingsFor(config);
  // `--calibrate off` measures the default threshold as it stands, without the model's probes.
  const fixedDenseThreshold = values.calibrate === 'off' ? (base.fixedDenseThreshold ?? DEFAULT_RETRIEVAL_OPTIONS.minDenseScore) : base.fixedDenseThreshold;
  const settings: RetrievalSettings = { fixedDenseThreshold, overrides: parseOverrides(values.set) };

  const from = config.invocationDir ?? process.cwd();
  const corpusDirs = values.corpus.length > 0 ? values.corpus.map((dir) => path.resolve(from, dir)) : [config.corpusDir];
  const loadEmbedder = embedderLoaderFor(config);
  let dense: DenseSide | null = null;
  // The speeches of every folder in one temporary corpus with its own index: measured as the server reads them.
  const workDir = await mkdtemp(path.join(os.tmpdir(), 'idm-eval-'));
  try {
    const corpusDir = path.join(workDir, 'corpus');
    for (const dir of corpusDirs) await cp(dir, corpusDir, { recursive: true, filter: (source) => !path.basename(source).startsWith('.') || source === dir });
    const index = new CorpusIndex({ corpusDir, indexDir: path.join(workDir, 'index'), log });
    let { snapshot } = await index.sync({ embedder: null });
    if (loadEmbedder !== null && values.mode !== 'lexical') {
      try {
        const embedder = await loadEmbedder();
        ({ snapshot } = await index.sync({ embedder }));
        if (snapshot.store !== null) dense = await prepareDense(embedder, snapshot.store, { settings, log });
      } catch (error) {
        log.warn(`no model, so lexical mode only: ${toAppError(error).message}. ${NO_MODEL_HINT}`);
      }
    }
    const { speeches, lexical } = snapshot;
    const loadSynonyms = values.expansion === 'off' ? null : synonymsLoaderFor(config);
    const synonyms = loadSynonyms === null ? null : await loadSynonyms();
    const loadReranker = values.rerank === 'off' || dense === null ? null : rerankerLoaderFor(config);
    const reranker = loadReranker === null ? null : await loadReranker().catch(() => null);

    const modes = values.mode === 'all' ? MODES.filter((mode) => mode === 'lexical' || dense !== null) : [values.mode as RetrievalMode];
    const reports: Record<string, EvalReport> = {};
    for (const mode of modes) {
      const retriever = buildRetriever({ speeches, lexical, dense, reranker, synonyms, settings, mode });
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
      options: { ...DEFAULT_RETRIEVAL_OPTIONS, ...settings.overrides },
    };
    if (values.json) {
      process.stdout.write(`${JSON.stringify({ ...setup, reports }, null, 2)}\n`);
      return;
    }
    process.stdout.write(`${plural(questions.length, 'question', 'questions')} from ${file}; model ${setup.model ?? 'none'}; reranker ${setup.reranker ?? 'none'}; expansion ${setup.expansion ? 'on' : 'off'}\n\n`);
    for (const [mode, report] of Object.entries(reports)) process.stdout.write(`${formatEvalReport(mode, report, { ks })}\n`);
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
});

/** The question file's JSON. @throws AppError `bad_request` naming the file when it is not JSON. */
function parseJsonFile(bytes: Buffer, file: string): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    throw new AppError('bad_request', `${JSON.stringify(file)}: not valid JSON (${(error as Error).message})`);
  }
}
