// `npm run load` as a user runs it (a short smoke run), and the flooder figure: with one flooding client present,
// the other clients' p95 stays within 2× of their p95 without it (phases alternate, in one run).

import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../server/config.ts';
import type { LoadReport } from '../../scripts/load.ts';

const run = promisify(execFile);

/** Runs the load command with `args`; resolves with what it printed. */
async function load(args: string[]): Promise<string> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', path.join(PROJECT_ROOT, 'scripts', 'load.ts'), ...args], {
    cwd: PROJECT_ROOT,
    timeout: 150_000,
    env: { ...process.env, MODEL_DIR: '', MODEL_ID: '' },
  });
  return stdout;
}

describe('npm run load', () => {
  it('runs real clients against a server of this checkout and reports throughput, percentiles, errors and memory', { timeout: 180_000 }, async () => {
    const { stdout } = await run('npm', ['run', '--silent', 'load', '--', '--clients', '20', '--rate', '2', '--duration', '3'], { cwd: PROJECT_ROOT, timeout: 150_000 });
    expect(stdout).toMatch(/^load: 20 clients × 2 question\/s for 3 s per condition, against ws:\/\/127\.0\.0\.1:\d+\/ws \(lexical mode\)$/m);
    expect(stdout).toContain('connected 20, failed to connect 0, disconnected early 0');
    expect(stdout).toMatch(/all clients: (\d+)\/\1 answered \([\d.]+\/s\); p50 [\d.]+ ms, p95 [\d.]+ ms, p99 [\d.]+ ms, max [\d.]+ ms; errors: none; rate_limited 0; unanswered 0/);
    expect(stdout).toMatch(/server RSS: before \d+ MB, after \d+ MB/);
  });

  it('keeps the p95 of the other clients within 2× while one client floods', { timeout: 180_000 }, async () => {
    const report = JSON.parse(await load(['--clients', '40', '--rate', '2', '--duration', '8', '--flood', '1', '--rounds', '2', '--json'])) as LoadReport;
    const { steady, flood } = report;
    console.log(
      `flooder figure: p95 ${steady.p95Ms.toFixed(1)} ms without, ${flood!.p95Ms.toFixed(1)} ms with (${report.floodP95Ratio!.toFixed(2)}×); ` +
        `flooder sent ${flood!.flooders.framesSent} frames, closed with 1008 ${flood!.flooders.closedWith1008}×, refused ${flood!.flooders.refused}×`,
    );
    // Every question of the others is answered, in both conditions.
    for (const figures of [steady, flood!]) {
      expect(figures.answered).toBe(figures.asked);
      expect(figures.errors).toEqual({});
    }
    expect(report.disconnects).toBe(0);
    // The flooder was closed for flooding and its reconnects refused.
    expect(flood!.flooders.closedWith1008).toBeGreaterThan(0);
    expect(flood!.flooders.refused).toBeGreaterThan(0);
    // At a p95 of a few milliseconds, scheduling noise alone can double it: 10 ms of slack under the ratio.
    expect(flood!.p95Ms).toBeLessThanOrEqual(2 * steady.p95Ms + 10);
  });
});
