// `npm run eval` end to end on a small question file, its figures checked against ones computed by hand.

import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../server/config.ts';

const run = promisify(execFile);

describe('npm run eval', () => {
  it('reports recall, MRR, no-answer figures and misses that match a hand computation', async () => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', path.join(PROJECT_ROOT, 'server', 'cli', 'eval.ts'), 'tests/fixtures/eval-small.json', '--mode', 'lexical', '--k', '1,3', '--json'], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, MODEL_ID: 'none' },
    });
    const { count, reports } = JSON.parse(stdout);
    expect(count).toBe(4);
    const lexical = reports.lexical;
    // e1 and e2 are found first; e3's question is off-topic for its quote, so it is refused: a miss.
    expect(lexical.overall).toEqual({ questions: 3, recall: { 1: 2 / 3, 3: 2 / 3 }, mrr: 2 / 3 });
    expect(lexical.byKind.keyword).toEqual({ questions: 2, recall: { 1: 1, 3: 1 }, mrr: 1 });
    expect(lexical.byKind.paraphrase).toEqual({ questions: 1, recall: { 1: 0, 3: 0 }, mrr: 0 });
    // Refused: e3 (answerable) and e4 (unanswerable): precision 1/2; the one unanswerable was refused: recall 1.
    expect(lexical.noAnswer).toEqual({ precision: 0.5, recall: 1, unanswerable: 1, wronglyRefused: 1 });
    expect(lexical.misses).toEqual([{ id: 'e3', kind: 'paraphrase', answerable: true, refused: true, rankBeforeCutoff: expect.toSatisfy((r: unknown) => r === null || typeof r === 'number') }]);
    expect(lexical.highlightAccuracy).toBe(1);
  }, 60_000);

  it('prints a readable table without --json', async () => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', path.join(PROJECT_ROOT, 'server', 'cli', 'eval.ts'), 'tests/fixtures/eval-small.json', '--mode', 'lexical'], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, MODEL_ID: 'none' },
    });
    expect(stdout).toContain('mode: lexical');
    expect(stdout).toMatch(/all answerable\s+3\s+66\.7%/);
    expect(stdout).toContain('e3 (paraphrase): refused');
  }, 60_000);
});
