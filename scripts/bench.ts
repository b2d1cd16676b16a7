// `npm run bench`: with --sizes, the product at scale on synthetic corpora (scripts/bench/scale-bench.ts); without,
// per embedding model, indexing and answering on the seed and corpus-dev speeches (scripts/bench/model-bench.ts).

import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { loadConfig } from '../server/config.ts';
import { AppError } from '../server/core/errors.ts';
import { defineCommand, runCommand, type OptionValues } from '../server/cli/command.ts';
import { runModelBench } from './bench/model-bench.ts';
import { runScaleBench } from './bench/scale-bench.ts';
import type { ScaleSettings } from './bench/scale-figures.ts';
import { formatScaleTable } from './bench/scale-table.ts';

const BENCH_COMMAND = defineCommand({
  name: 'bench',
  summary: 'Measures the product: at scale on synthetic corpora (--sizes), or per embedding model on the seed speeches.',
  options: {
    sizes: { type: 'string', value: 'N,N,…', description: 'corpus sizes in paragraphs, e.g. 1000,10000,100000: measure the product at scale' },
    json: { type: 'string', value: 'file', description: 'with --sizes: also write every figure to this JSON file (after each size)' },
    keep: { type: 'string', value: 'dir', description: 'with --sizes: work in this folder and keep it (corpora, indexes, the tiny model)' },
    'skip-baselines': { type: 'boolean', default: false, description: 'with --sizes: do not time plain MiniSearch BM25 and the Float32Array scan' },
    hybrid: { type: 'boolean', default: false, description: 'with --sizes: also put the socket load on a hybrid server (the lexical one always gets it)' },
    clients: { type: 'string', value: 'C', default: '200', description: 'with --sizes: socket clients of the load' },
    rate: { type: 'string', value: 'R', default: '1', description: 'with --sizes: questions per second of each client' },
    duration: { type: 'string', value: 'S', default: '20', description: 'with --sizes: seconds of socket load' },
    'step-timeout': { type: 'string', value: 'S', default: '600', description: 'with --sizes: seconds a step may take before it is reported as timed out' },
    models: { type: 'string', value: 'configured|all|name,…', default: 'configured', description: 'without --sizes: the models to time besides the tiny test model (fetched ones only)' },
    'batch-sizes': { type: 'string', value: 'N,N,…', default: '1,8,16,32', description: 'without --sizes: model batch sizes to compare when building an index (the configured model)' },
    'chunk-sizes': { type: 'string', value: 'N,N,…', default: '32,128', description: 'without --sizes: paragraphs handed to the embedder per call, to compare' },
    rounds: { type: 'string', value: 'N', default: '5', description: 'rounds over the questions of tests/fixtures (with --sizes, as many as fit in a minute)' },
  },
  notes: [
    'With --sizes, each size gets a synthetic corpus of real sentences, indexed with `npm run index` (tiny 384-dimension',
    'model), then: npm start → /api/health, lexical and hybrid; RSS; in-process answering beside the baselines; the',
    'socket load with /api/health probed during it; `npm run add` of one 30-paragraph speech; the index size on disk.',
    'Everything runs in a temporary folder, on 127.0.0.1; a step over --step-timeout is reported as timed out.',
    'Reports medians and p95, and ratios measured side by side in one process; absolute times vary with the machine.',
  ],
});

type BenchValues = OptionValues<typeof BENCH_COMMAND.options>;

/** A whole number of at least `min`, from option `name`. @throws AppError `usage`. */
function wholeNumber(name: string, raw: string, min: number): number {
  const value = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || value < min) throw new AppError('usage', `--${name} takes a whole number of at least ${min}, not "${raw}"`);
  return value;
}

/** A positive number (fractions allowed), from option `name`. @throws AppError `usage`. */
function positiveNumber(name: string, raw: string): number {
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value) || value <= 0) throw new AppError('usage', `--${name} takes a positive number, not "${raw}"`);
  return value;
}

function scaleSettingsOf(values: BenchValues, sizes: string): ScaleSettings {
  return {
    sizes: sizes.split(',').map((size) => wholeNumber('sizes', size, 1)),
    clients: wholeNumber('clients', values.clients, 1),
    ratePerSecond: positiveNumber('rate', values.rate),
    durationSeconds: positiveNumber('duration', values.duration),
    rounds: wholeNumber('rounds', values.rounds, 1),
    stepTimeoutSeconds: positiveNumber('step-timeout', values['step-timeout']),
    baselines: !values['skip-baselines'],
    hybridLoad: values.hybrid,
    seed: 20010101,
    keepDir: values.keep === undefined ? null : path.resolve(loadConfig(process.env).invocationDir ?? process.cwd(), values.keep),
  };
}

runCommand(BENCH_COMMAND, async ({ values }) => {
  if (values.sizes === undefined) {
    const sizesOf = (name: 'batch-sizes' | 'chunk-sizes') => values[name].split(',').map((size) => wholeNumber(name, size, 1));
    await runModelBench({ models: values.models, rounds: wholeNumber('rounds', values.rounds, 1), batchSizes: sizesOf('batch-sizes'), chunkSizes: sizesOf('chunk-sizes') });
    return;
  }
  const settings = scaleSettingsOf(values, values.sizes);
  // File names on the command line are relative to the folder the command was typed in.
  const config = loadConfig(process.env);
  const jsonFile = values.json === undefined ? null : path.resolve(config.invocationDir ?? process.cwd(), values.json);
  const report = await runScaleBench(settings, {
    onSize: async (sofar) => {
      if (jsonFile !== null) await writeFile(jsonFile, `${JSON.stringify(sofar, null, 2)}\n`);
    },
  });
  process.stdout.write(`${formatScaleTable(report)}\n`);
  if (jsonFile !== null) process.stdout.write(`\nfigures written to ${jsonFile}\n`);
});
