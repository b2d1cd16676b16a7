// Reads the corpus folder: each speech is `<id>.txt` (the original text, never modified) beside `<id>.meta.json`.

import { readdir, readFile } from 'node:fs/promises';
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

/**
 * Loads every speech in `dir`, sorted by date then id. A speech without a metadata file gets what its front matter
 * says (with a warning); invalid metadata stops loading with an error naming the file and key.
 * @throws AppError `corpus_invalid`; its message names files by the folder's base name only, as it reaches HTTP clients.
 */
export async function loadCorpus(dir: string, options: LoadCorpusOptions = {}): Promise<Speech[]> {
  const log = options.log ?? SILENT_LOGGER;
  const folder = path.basename(dir);
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch (error) {
    throw new AppError('corpus_invalid', `cannot read the corpus folder ${folder}/ (${(error as NodeJS.ErrnoException).code ?? 'error'})`, { cause: error });
  }
  const speeches: Speech[] = [];
  for (const entry of entries.sort()) {
    const extension = SPEECH_TEXT_EXTENSIONS.find((ext) => entry.endsWith(ext));
    if (extension === undefined) continue;
    const id = entry.slice(0, -extension.length);
    if (!isSpeechId(id)) {
      log.warn(`corpus: skipping ${entry}: the file name is not a valid speech id (lowercase letters, digits, dashes)`);
      continue;
    }
    const raw = await readFile(path.join(dir, entry), 'utf8');
    const { paragraphs, frontMatter } = splitSpeech(raw);
    const metaFile = path.join(dir, `${id}${META_SUFFIX}`);
    const metaName = `${folder}/${id}${META_SUFFIX}`;
    let metaValue: unknown;
    try {
      metaValue = JSON.parse(await readFile(metaFile, 'utf8'));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
        const invalid = new AppError('corpus_invalid', `${metaName}: not valid JSON (${(error as Error).message})`);
        if (options.onInvalid === undefined) throw invalid;
        options.onInvalid(id, invalid);
        continue;
      }
      if (frontMatter.date === undefined) {
        log.warn(`corpus: skipping ${entry}: it has no ${id}${META_SUFFIX} and no date in its text`);
        continue;
      }
      log.warn(`corpus: ${entry} has no ${id}${META_SUFFIX}; using the metadata found in its text`);
      metaValue = { ...frontMatter, title: frontMatter.title ?? id };
    }
    try {
      speeches.push({ meta: checkSpeechMeta(id, metaValue, metaName), paragraphs });
    } catch (error) {
      if (options.onInvalid === undefined || !(error instanceof AppError)) throw error;
      options.onInvalid(id, error);
    }
  }
  return speeches.sort(compareSpeeches);
}
