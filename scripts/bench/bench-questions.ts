// The questions every benchmark asks: the development, own and corpus-dev question sets of tests/fixtures.

import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { PROJECT_ROOT } from '../../server/config.ts';

const QUESTION_FILES = ['dev-questions.json', 'questions-swing-2018.json', 'questions-corpus-dev.json'] as const;

/** Every question of the three sets, in file order. */
export async function readBenchQuestions(): Promise<string[]> {
  const questions: string[] = [];
  for (const file of QUESTION_FILES) {
    const entries = JSON.parse(await readFile(path.join(PROJECT_ROOT, 'tests', 'fixtures', file), 'utf8')) as Array<{ question: string }>;
    questions.push(...entries.map((entry) => entry.question));
  }
  return questions;
}
