// Reads the corpus folder: each speech is `<id>.txt` (the original text, never modified) beside `<id>.meta.json`.

import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '../core/errors.ts';
import { SILENT_LOGGER, type Logger } from '../core/logger.ts';
import { splitSpeech } from '../core/paragraphs.ts';
import { checkSpeechMeta, isSpeechId } from '../core/speech-meta.ts';
import { compareSpeeches } from '../core/speech-order.ts';
import type { Speech } from '../core/types.ts';

/** Extensions of speech texts in the corpus folder. */
export const SPEECH_TEXT_EXTENSIONS = ['.txt', '.md'] as const;
/** Suffix of a speech's metadata file. */
export const META_SUFFIX = '.meta.json';

/** Options of {@link loadCorpus}. */
export interface LoadCorpusOptions {
  log?: Logger;
  /**
   * Called for each speech whose metadata file is invalid, which is then left out; without it, the first one stops
   * loading. Lets a broken speech be removed.
   */
  onInvalid?: (id: string, error: AppError) => void;
}

/** A speech's files in the folder, with their size and modification time: how a change is seen without reading. */
export interface SpeechFiles {
  id: string;
  textFile: string;
  text: [size: number, mtimeMs: number];
  meta: [size: number, mtimeMs: number] | null;
}

/**
 * The speeches of `dir` by their files, without reading them: one `stat` per file.
 * @throws AppError `corpus_invalid` when the folder cannot be read.
 */
export async function listCorpus(dir: string, options: { log?: Logger } = {}): Promise<SpeechFiles[]> {
  const log = options.log ?? SILENT_LOGGER;
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch (error) {
    throw new AppError('corpus_invalid', `cannot read the corpus folder ${path.basename(dir)}/ (${(error as NodeJS.ErrnoException).code ?? 'error'})`, { cause: error });
  }
  const present = new Set(entries);
  const files: SpeechFiles[] = [];
  for (const entry of entries.sort()) {
    const extension = SPEECH_TEXT_EXTENSIONS.find((ext) => entry.endsWith(ext));
    if (extension === undefined) continue;
    const id = entry.slice(0, -extension.length);
    if (!isSpeechId(id)) {
      log.warn(`corpus: skipping ${entry}: the file name is not a valid speech id (lowercase letters, digits, dashes)`);
      continue;
    }
    const text = await stat(path.join(dir, entry)).catch(() => null);
    if (text === null) continue;
    const metaName = `${id}${META_SUFFIX}`;
    const meta = present.has(metaName) ? await stat(path.join(dir, metaName)).catch(() => null) : null;
    files.push({ id, textFile: entry, text: [text.size, text.mtimeMs], meta: meta === null ? null : [meta.size, meta.mtimeMs] });
  }
  return files;
}

/** A digest of a speech's two files as they are on disk: equal digests mean nothing to read again. */
export async function speechFilesDigest(dir: string, files: Pick<SpeechFiles, 'id' | 'textFile'>): Promise<string> {
  const hash = createHash('sha256').update(await readFile(path.join(dir, files.textFile)));
  const meta = await readFile(path.join(dir, `${files.id}${META_SUFFIX}`)).catch(() => null);
  return hash.update('\u0000').update(meta ?? '').digest('hex').slice(0, 32);
}

/**
 * Reads and splits one speech. A speech without a metadata file gets what its front matter says (with a warning),
 * or is skipped (null) without a date; invalid metadata throws an error naming the file and key.
 * @throws AppError `corpus_invalid`; its message names files by the folder's base name only, as it reaches HTTP clients.
 */
export async function readSpeech(dir: string, files: Pick<SpeechFiles, 'id' | 'textFile'>, options: { log?: Logger } = {}): Promise<Speech | null> {
  const log = options.log ?? SILENT_LOGGER;
  const { id, textFile } = files;
  const raw = await readFile(path.join(dir, textFile), 'utf8');
  const { paragraphs, frontMatter } = splitSpeech(raw);
  const metaName = `${path.basename(dir)}/${id}${META_SUFFIX}`;
  let metaValue: unknown;
  try {
    metaValue = JSON.parse(await readFile(path.join(dir, `${id}${META_SUFFIX}`), 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw new AppError('corpus_invalid', `${metaName}: not valid JSON (${(error as Error).message})`);
    if (frontMatter.date === undefined) {
      log.warn(`corpus: skipping ${textFile}: it has no ${id}${META_SUFFIX} and no date in its text`);
      return null;
    }
    log.warn(`corpus: ${textFile} has no ${id}${META_SUFFIX}; using the metadata found in its text`);
    metaValue = { ...frontMatter, title: frontMatter.title ?? id };
  }
  return { meta: checkSpeechMeta(id, metaValue, metaName), paragraphs };
}

/**
 * Loads every speech in `dir`, sorted by date then id (reading and splitting each: the index keeps what is derived,
 * so that a server reads only what changed).
 * @throws AppError `corpus_invalid` (see {@link readSpeech}).
 */
export async function loadCorpus(dir: string, options: LoadCorpusOptions = {}): Promise<Speech[]> {
  const speeches: Speech[] = [];
  for (const files of await listCorpus(dir, options)) {
    try {
      const speech = await readSpeech(dir, files, options);
      if (speech !== null) speeches.push(speech);
    } catch (error) {
      if (options.onInvalid === undefined || !(error instanceof AppError)) throw error;
      options.onInvalid(files.id, error);
    }
  }
  return speeches.sort(compareSpeeches);
}
