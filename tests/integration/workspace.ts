// Test fixtures shared by integration tests: a temporary copy of the corpus, the tiny model, the dev questions.

import { cp, mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadTransformersEmbedder } from '../../server/adapters/transformers-embedder.ts';
import { PROJECT_ROOT } from '../../server/config.ts';
import { loadTransformersReranker } from '../../server/adapters/transformers-reranker.ts';
import type { Embedder, Reranker } from '../../server/core/types.ts';
import { writeTinyCrossEncoder } from '../../scripts/tiny-cross-encoder.ts';
import { writeTinyModel } from '../../scripts/tiny-model.ts';

/** A temporary project-like folder with its own corpus and index. */
export interface Workspace {
  root: string;
  corpusDir: string;
  indexDir: string;
  remove(): Promise<void>;
}

/**
 * Copies the project's corpus into a fresh temporary folder; with `withCorpusDev`, also the five statements of
 * `tests/fixtures/corpus-dev/` (copied from the team's shared corpus-dev folder), so that the corpus has more than one speech.
 */
export async function createWorkspace(options: { withCorpusDev?: boolean } = {}): Promise<Workspace> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'idm-chat-'));
  const corpusDir = path.join(root, 'corpus');
  const indexDir = path.join(root, 'index');
  await cp(path.join(PROJECT_ROOT, 'corpus'), corpusDir, { recursive: true });
  if (options.withCorpusDev === true) await cp(path.join(PROJECT_ROOT, 'tests', 'fixtures', 'corpus-dev'), corpusDir, { recursive: true });
  await mkdir(indexDir);
  return { root, corpusDir, indexDir, remove: () => rm(root, { recursive: true, force: true }) };
}

/** Every word of the corpus texts: the tiny model's vocabulary, so it behaves as a bag of words. */
export async function corpusWords(corpusDir: string): Promise<string[]> {
  const words: string[] = [];
  for (const entry of (await readdir(corpusDir)).sort()) {
    if (entry.endsWith('.txt')) words.push(...(await readFile(path.join(corpusDir, entry), 'utf8')).split(/\s+/));
  }
  return words;
}

/** Writes the tiny model into `<root>/tiny-model` and returns a loader using the real transformers.js path. */
export async function createTinyModelLoader(
  workspace: Workspace,
  options: { dimension?: number } = {},
): Promise<{ modelDir: string; load: () => Promise<Embedder> }> {
  const modelDir = path.join(workspace.root, 'tiny-model');
  await writeTinyModel(modelDir, { dimension: options.dimension ?? 64, vocabulary: await corpusWords(workspace.corpusDir) });
  return {
    modelDir,
    load: () => loadTransformersEmbedder({ modelDir, cacheDir: path.join(workspace.root, 'cache'), allowRemote: false }),
  };
}

/** Writes the tiny cross-encoder into `<root>/tiny-cross-encoder` and returns a loader through transformers.js. */
export async function createTinyRerankerLoader(workspace: Workspace): Promise<{ modelDir: string; load: () => Promise<Reranker> }> {
  const modelDir = path.join(workspace.root, 'tiny-cross-encoder');
  await writeTinyCrossEncoder(modelDir, { vocabulary: await corpusWords(workspace.corpusDir) });
  return { modelDir, load: () => loadTransformersReranker({ modelDir, cacheDir: path.join(workspace.root, 'cache'), allowRemote: false }) };
}

/** One evaluation question (the format of `tests/fixtures/dev-questions.json`). */
export interface DevQuestion {
  id: string;
  kind: 'keyword' | 'paraphrase' | 'unanswerable';
  speech: string | null;
  question: string;
  answer_quote: string | null;
}

/** The question sets kept with the tests: the shared development questions, our own set, and corpus-dev's. */
export const QUESTION_SETS = {
  dev: 'dev-questions.json',
  own: 'questions-swing-2018.json',
  corpusDev: 'questions-corpus-dev.json',
} as const;

/** A question set of `tests/fixtures/` (some copied from the team's shared folder). */
export async function readQuestions(set: keyof typeof QUESTION_SETS): Promise<DevQuestion[]> {
  const file = path.join(PROJECT_ROOT, 'tests', 'fixtures', QUESTION_SETS[set]);
  return JSON.parse(await readFile(file, 'utf8')) as DevQuestion[];
}

/** The development questions (the team's shared eval/dev-questions.json, copied into `tests/fixtures/`). */
export function readDevQuestions(): Promise<DevQuestion[]> {
  return readQuestions('dev');
}
