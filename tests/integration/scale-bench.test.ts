// The scale benchmark once, at its smallest: `npm run bench -- --sizes 300` with a short socket load completes,
// every step succeeds, and every figure it writes is a number. A smoke test: it asserts no timing.

import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runScript, type CliRun } from './cli-runner.ts';

/** Every `{ status: … }` step of the report, by its path. */
function stepsOf(value: unknown, where = ''): Array<[string, Record<string, unknown>]> {
  if (typeof value !== 'object' || value === null) return [];
  const record = value as Record<string, unknown>;
  if (typeof record.status === 'string') return [[where, record]];
  return Object.entries(record).flatMap(([key, child]) => stepsOf(child, `${where}.${key}`));
}

/** Every leaf of the figures that is not a finite number (JSON writes NaN as null), by its path. */
function nonNumbersOf(value: unknown, where = ''): string[] {
  if (typeof value === 'number') return Number.isFinite(value) ? [] : [where];
  if (typeof value !== 'object' || value === null) return [where];
  return Object.entries(value).flatMap(([key, child]) => nonNumbersOf(child, `${where}.${key}`));
}

let dir: string;
let run: CliRun;
let report: { sizes: Array<Record<string, unknown>>; settings: { sizes: number[] } };

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'idm-bench-smoke-'));
  const json = path.join(dir, 'figures.json');
  run = await runScript('scripts/bench.ts', ['--sizes', '300', '--clients', '5', '--duration', '2', '--rounds', '1', '--step-timeout', '60', '--json', json]);
  report = JSON.parse(await readFile(json, 'utf8')) as typeof report;
}, 180_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('npm run bench -- --sizes 300 (smoke)', () => {
  it('completes and prints the table with one column for the size', () => {
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/\| figure \| 300 paragraphs \|/);
    expect(run.stdout).toMatch(/npm start → \/api\/health, lexical \| [\d.]+ (ms|s) \|/);
  });

  it('runs every step of the size to success', () => {
    expect(report.settings.sizes).toEqual([300]);
    const steps = stepsOf(report.sizes[0]);
    expect(steps.map(([where]) => where).sort()).toEqual(
      ['.add.hybrid', '.add.lexical', '.corpus', '.inProcess.hybrid', '.inProcess.lexical', '.index', '.socket.lexical', '.start.hybrid', '.start.lexical'].sort(),
    );
    for (const [where, step] of steps) expect(step.status, `${where}: ${String(step.error ?? '')}`).toBe('ok');
  });

  it('reports every figure as a number, the baselines and ratios included', () => {
    const size = report.sizes[0] as Record<string, unknown>;
    expect(nonNumbersOf(size).filter((where) => !where.endsWith('.status'))).toEqual([]);
    const figures = (step: string) => stepsOf(size).find(([where]) => where === step)?.[1].figures as Record<string, unknown>;
    expect(figures('.corpus')).toMatchObject({ paragraphs: 300, speeches: 10 });
    expect(figures('.start.lexical')).toMatchObject({ paragraphs: 300 });
    expect(figures('.inProcess.lexical').baseline).toMatchObject({ buildMs: expect.any(Number), productOverBaseline: expect.any(Number) });
    expect(figures('.inProcess.hybrid').baseline).toMatchObject({ productOverBaseline: expect.any(Number) });
    expect(figures('.socket.lexical')).toMatchObject({ clients: 5, sent: 10, answered: 10, refused: 0, unanswered: 0 });
    expect((figures('.add.hybrid').indexBytesWritten as number) > 0).toBe(true);
  });
});
