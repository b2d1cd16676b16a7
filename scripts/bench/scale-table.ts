// The scale report as people read it: one Markdown table, a row per figure and a column per corpus size, with the
// failures and time-outs spelled out below it.

import { describeStep, type StepResult } from './bench-step.ts';
import type { InProcessFigures } from './in-process-bench.ts';
import type { Latency } from './latency.ts';
import type { LoadFigures, ScaleReport, SizeFigures } from './scale-figures.ts';

/** One row: its label and how a size's figures read in it. */
interface Row {
  label: string;
  cell(size: SizeFigures): string;
}

const ms = (value: number): string => (!Number.isFinite(value) ? '–' : value >= 1000 ? `${(value / 1000).toFixed(1)} s` : value >= 100 ? `${value.toFixed(0)} ms` : `${value.toFixed(1)} ms`);
const mb = (value: number): string => `${value.toFixed(0)} MB`;
const bytes = (value: number): string => (value >= 1024 * 1024 ? `${(value / 1024 / 1024).toFixed(1)} MB` : `${(value / 1024).toFixed(1)} kB`);
const count = (value: number): string => value.toLocaleString('en-US');
const times = (value: number): string => `${value.toFixed(1)}×`;
const medianP95 = (latency: Latency): string => `${ms(latency.median)} (p95 ${ms(latency.p95)}, n ${count(latency.n)})`;

/** A step's cell: its figures formatted, or how it ended. */
function cellOf<T>(step: StepResult<T> | undefined, format: (figures: T) => string): string {
  if (step === undefined) return '–';
  if (step.status === 'ok') return format(step.figures);
  if (step.status === 'skipped') return `not run (${step.reason})`;
  return step.status === 'timed_out' ? `timed out after ${step.seconds.toFixed(0)} s` : `failed after ${step.seconds.toFixed(1)} s`;
}

/** Two steps' cells side by side (`lexical / hybrid`). */
const pair = <T>(a: StepResult<T>, b: StepResult<T>, format: (figures: T) => string): string => `${cellOf(a, format)} / ${cellOf(b, format)}`;

function baselineCell(step: StepResult<InProcessFigures>, format: (baseline: NonNullable<InProcessFigures['baseline']>) => string): string {
  return cellOf(step, (figures) => (figures.baseline === undefined ? '–' : format(figures.baseline)));
}

function socketRows(mode: 'lexical' | 'hybrid', report: ScaleReport): Row[] {
  const { clients, ratePerSecond, durationSeconds } = report.settings;
  const load = (size: SizeFigures): StepResult<LoadFigures> | undefined => size.socket[mode];
  return [
    { label: `socket, ${mode}, ${clients} clients × ${ratePerSecond}/s × ${durationSeconds} s: p50 / p95 / p99`, cell: (size) => cellOf(load(size), (f) => `${ms(f.latencyMs.median)} / ${ms(f.latencyMs.p95)} / ${ms(f.latencyMs.p99)}`) },
    { label: `socket, ${mode}: answered of sent (refused, unanswered)`, cell: (size) => cellOf(load(size), (f) => `${count(f.answered)} of ${count(f.sent)} (${count(f.refused)}, ${count(f.unanswered)})`) },
    { label: `/api/health during the ${mode} load: p95 / max`, cell: (size) => cellOf(load(size), (f) => `${ms(f.healthMs.p95)} / ${ms(f.healthMs.max)}`) },
    { label: `RSS after the ${mode} load (peak)`, cell: (size) => cellOf(load(size), (f) => `${mb(f.rssAfterQuestionsMb)} (${mb(f.peakRssMb)})`) },
  ];
}

function rowsOf(report: ScaleReport): Row[] {
  const addCell = (mode: 'lexical' | 'hybrid') => (size: SizeFigures) =>
    cellOf(size.add[mode], (f) => `${f.seconds.toFixed(1)} s (${bytes(f.corpusBytesWritten)} + ${bytes(f.indexBytesWritten)})`);
  return [
    { label: 'paragraphs (speeches)', cell: (size) => cellOf(size.corpus, (f) => `${count(f.paragraphs)} (${count(f.speeches)})`) },
    { label: 'npm run index, from scratch (paragraphs/s)', cell: (size) => cellOf(size.index, (f) => `${f.seconds.toFixed(1)} s (${count(Math.round(f.paragraphsPerSecond))}/s)`) },
    { label: 'index on disk', cell: (size) => cellOf(size.index, (f) => bytes(f.indexBytes)) },
    { label: 'npm start → /api/health, lexical', cell: (size) => cellOf(size.start.lexical, (f) => ms(f.toHealthMs)) },
    { label: 'npm start → /api/health (→ hybrid mode), hybrid', cell: (size) => cellOf(size.start.hybrid, (f) => `${ms(f.toHealthMs)} (${ms(f.toHybridMs ?? Number.NaN)})`) },
    { label: 'RSS after start, lexical / hybrid', cell: (size) => pair(size.start.lexical, size.start.hybrid, (f) => mb(f.rssAfterStartMb)) },
    { label: 'in-process open → answering, lexical / hybrid', cell: (size) => pair(size.inProcess.lexical, size.inProcess.hybrid, (f) => ms(f.openMs)) },
    { label: 'query in-process, lexical: median (p95)', cell: (size) => cellOf(size.inProcess.lexical, (f) => medianP95(f.queryMs)) },
    { label: 'query in-process, hybrid: median (p95)', cell: (size) => cellOf(size.inProcess.hybrid, (f) => medianP95(f.queryMs)) },
    { label: 'in-process RSS after the questions, lexical / hybrid', cell: (size) => pair(size.inProcess.lexical, size.inProcess.hybrid, (f) => mb(f.rssMb)) },
    { label: 'MiniSearch BM25 (same paragraphs): build; query median (p95)', cell: (size) => baselineCell(size.inProcess.lexical, (b) => `${ms(b.buildMs ?? Number.NaN)}; ${medianP95(b.queryMs)}`) },
    { label: 'lexical query ÷ MiniSearch query (paired median)', cell: (size) => baselineCell(size.inProcess.lexical, (b) => times(b.productOverBaseline)) },
    { label: 'Float32Array scan, top 10 of N × 384: median (p95)', cell: (size) => baselineCell(size.inProcess.hybrid, (b) => medianP95(b.queryMs)) },
    { label: 'hybrid query ÷ Float32Array scan (paired median)', cell: (size) => baselineCell(size.inProcess.hybrid, (b) => times(b.productOverBaseline)) },
    ...socketRows('lexical', report),
    ...(report.sizes.some((size) => size.socket.hybrid !== undefined) ? socketRows('hybrid', report) : []),
    { label: 'npm run add, 30 paragraphs, hybrid (bytes to corpus/ + index/)', cell: addCell('hybrid') },
    { label: 'npm run add, 30 paragraphs, lexical (bytes to corpus/ + index/)', cell: addCell('lexical') },
    { label: 'this size: wall time (load average 1 min, start → end)', cell: (size) => `${(size.seconds / 60).toFixed(1)} min (${size.loadAverage.start[0]?.toFixed(1)} → ${size.loadAverage.end[0]?.toFixed(1)})` },
  ];
}

/** Every step of a size that failed or timed out, with its full message. */
function failuresOf(size: SizeFigures): string[] {
  const steps: Array<[string, StepResult<unknown> | undefined]> = [
    ['npm run index', size.index],
    ['start, lexical', size.start.lexical],
    ['start, hybrid', size.start.hybrid],
    ['socket load, lexical', size.socket.lexical],
    ['socket load, hybrid', size.socket.hybrid],
    ['in-process, lexical', size.inProcess.lexical],
    ['in-process, hybrid', size.inProcess.hybrid],
    ['npm run add, hybrid', size.add.hybrid],
    ['npm run add, lexical', size.add.lexical],
  ];
  return steps.filter(([, step]) => step !== undefined && (step.status === 'failed' || step.status === 'timed_out')).map(([name, step]) => `- ${count(size.size)}, ${name}: ${describeStep(step as StepResult<unknown>)}`);
}

/** The report as a Markdown table with its notes. */
export function formatScaleTable(report: ScaleReport): string {
  const { machine, settings } = report;
  const rows = rowsOf(report);
  const header = `| figure | ${report.sizes.map((size) => `${count(size.size)} paragraphs`).join(' | ')} |`;
  const rule = `|---|${report.sizes.map(() => '---').join('|')}|`;
  const lines = rows.map((row) => `| ${row.label} | ${report.sizes.map((size) => row.cell(size)).join(' | ')} |`);
  const failures = report.sizes.flatMap(failuresOf);
  return [
    `machine: ${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGb.toFixed(0)} GB, ${machine.platform}, Node ${machine.node}; load average at start ${machine.loadAverageAtStart.map((v) => v.toFixed(2)).join(', ')}`,
    `corpora: ${report.corpusSource.sentences} real sentences recombined (seed ${settings.seed}); hybrid = tiny ${report.corpusSource.modelDimension}-dimension model; in-process rounds ≤ ${settings.rounds}; step limit ${settings.stepTimeoutSeconds} s`,
    '',
    header,
    rule,
    ...lines,
    ...(failures.length === 0 ? [] : ['', 'failures and time-outs:', ...failures]),
  ].join('\n');
}
