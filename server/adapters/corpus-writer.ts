// Crash-safe writes to the corpus folder: adding a speech's two files, removing them, replacing metadata, all
// under the corpus lock, with a journal so that a change cut short by a crash is undone or finished next time.

import { randomBytes } from 'node:crypto';
import { open, readdir, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '../core/errors.ts';
import { SILENT_LOGGER, type Logger } from '../core/logger.ts';
import { isSpeechId, META_FIELDS, type SpeechMeta } from '../core/speech-meta.ts';
import { META_SUFFIX, SPEECH_TEXT_EXTENSIONS } from './corpus-folder.ts';
import { withDirLock } from './dir-lock.ts';
import { syncDir } from './durable-fs.ts';

/**
 * The journal names the speech a change is about; it exists only while the change is under way. Whatever the
 * change (an add not yet committed, a remove not yet finished), recovery deletes that speech's files.
 */
export const JOURNAL_FILE = '.journal.json';
/** Temporary files are dot files ending in this, so the corpus loader never mistakes them for speeches. */
const TEMP_SUFFIX = '.tmp';

/** The points of an add, in order; a crash between any two leaves the corpus as before the add. */
export type AddStep = 'journal-written' | 'text-written' | 'meta-written';

interface Journal {
  op: 'add' | 'remove';
  id: string;
  pid: number;
  at: string;
}

/** True for names that belong to writers (lock, journal, temporary files), not to speeches. */
export function isWriterFile(name: string): boolean {
  return name.startsWith('.');
}

/** Writes `data` to `dir/name` atomically: a synced temporary file renamed over the target. */
async function writeFileAtomic(dir: string, name: string, data: string): Promise<void> {
  const temp = path.join(dir, `.${name}.${process.pid}-${randomBytes(3).toString('hex')}${TEMP_SUFFIX}`);
  const handle = await open(temp, 'wx');
  try {
    await handle.writeFile(data, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(temp, path.join(dir, name));
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/** The file names a speech may have in the corpus folder. */
function filesOf(id: string): string[] {
  if (!isSpeechId(id)) throw new AppError('internal', `refusing to touch files of the malformed speech id "${id}"`);
  return [...SPEECH_TEXT_EXTENSIONS.map((ext) => `${id}${ext}`), `${id}${META_SUFFIX}`];
}

async function removeFiles(dir: string, id: string): Promise<void> {
  // The text goes first: metadata without a text is ignored by the loader, a text without metadata is not.
  for (const name of filesOf(id)) await rm(path.join(dir, name), { force: true });
  await syncDir(dir);
}

async function writeJournal(dir: string, journal: Omit<Journal, 'pid' | 'at'>): Promise<void> {
  await writeFileAtomic(dir, JOURNAL_FILE, `${JSON.stringify({ ...journal, pid: process.pid, at: new Date().toISOString() })}\n`);
  await syncDir(dir);
}

async function clearJournal(dir: string): Promise<void> {
  await rm(path.join(dir, JOURNAL_FILE), { force: true });
  await syncDir(dir);
}

/** The metadata file's content: the fields a person edits, without the id (the id is the file name). */
export function metaFileContent(meta: SpeechMeta): string {
  return `${JSON.stringify(Object.fromEntries(META_FIELDS.map((field) => [field, meta[field]])), null, 2)}\n`;
}

/**
 * Finishes what a writer that died left: deletes the journaled speech's files (undoing an add that was never
 * committed, completing a remove) and stray temporary files. Call only while holding the corpus lock.
 */
export async function recoverCorpus(dir: string, options: { log?: Logger } = {}): Promise<void> {
  const log = options.log ?? SILENT_LOGGER;
  let raw: string | null = null;
  try {
    raw = await readFile(path.join(dir, JOURNAL_FILE), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  if (raw !== null) {
    let journal: Partial<Journal> = {};
    try {
      journal = JSON.parse(raw) as Partial<Journal>;
    } catch {
      // The journal is renamed into place complete, so an unreadable one was never followed by any speech write.
    }
    if (typeof journal.id === 'string' && isSpeechId(journal.id)) {
      await removeFiles(dir, journal.id);
      const what = journal.op === 'remove' ? 'finished removing' : 'undid the unfinished add of';
      log.warn(`corpus: a change was interrupted (pid ${journal.pid ?? '?'}); ${what} speech ${journal.id}`);
    } else {
      log.warn('corpus: removed an unreadable journal of an interrupted change');
    }
    await clearJournal(dir);
  }
  for (const entry of await readdir(dir)) {
    if (isWriterFile(entry) && entry.endsWith(TEMP_SUFFIX)) await rm(path.join(dir, entry), { force: true });
  }
}

/** Options of {@link withCorpusLock}. */
export interface CorpusLockOptions {
  /** Give up with `busy` after waiting this long for another writer. */
  timeoutMs?: number;
  log?: Logger;
}

/**
 * Runs `work` holding the corpus lock (`<dir>/.lock`, shared with other processes), after recovering from any
 * change a dead writer left unfinished.
 * @throws AppError `busy` when another writer holds the lock for longer than `timeoutMs`.
 */
export function withCorpusLock<T>(dir: string, work: () => Promise<T>, options: CorpusLockOptions = {}): Promise<T> {
  return withDirLock(
    dir,
    async () => {
      await recoverCorpus(dir, { log: options.log });
      return work();
    },
    { log: options.log ?? SILENT_LOGGER, ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }) },
  );
}

/** Every file stem in the corpus folder (speeches, and stray files): ids a new speech must not take. */
export async function takenStems(dir: string): Promise<Set<string>> {
  const stems = new Set<string>();
  for (const entry of await readdir(dir)) {
    if (isWriterFile(entry)) continue;
    stems.add(entry.endsWith(META_SUFFIX) ? entry.slice(0, -META_SUFFIX.length) : entry.replace(/\.[^.]*$/, ''));
  }
  return stems;
}

/** A new speech written to the corpus folder but not yet committed. */
export interface StagedSpeech {
  id: string;
  /** Makes the add permanent: from here on a crash keeps the speech. */
  commit(): Promise<void>;
  /** Deletes the speech's files: the corpus folder is as before the add. */
  rollback(): Promise<void>;
}

/**
 * Writes a new speech (`<id>.txt` with the text, `<id>.meta.json`) under a journal. Until `commit`, a crash
 * or `rollback` leaves the folder as it was. Call only while holding the corpus lock, with an id not taken.
 * @param options.onStep called after each step, and awaited (progress, or a test stopping the process there).
 */
export async function stageSpeech(
  dir: string,
  speech: { meta: SpeechMeta; text: string },
  options: { onStep?: (step: AddStep) => void | Promise<void> } = {},
): Promise<StagedSpeech> {
  const { id } = speech.meta;
  filesOf(id);
  if ((await takenStems(dir)).has(id)) throw new AppError('internal', `speech id "${id}" is already taken`);
  await writeJournal(dir, { op: 'add', id });
  try {
    await options.onStep?.('journal-written');
    await writeFileAtomic(dir, `${id}.txt`, speech.text);
    await options.onStep?.('text-written');
    await writeFileAtomic(dir, `${id}${META_SUFFIX}`, metaFileContent(speech.meta));
    await syncDir(dir);
    await options.onStep?.('meta-written');
  } catch (error) {
    await removeFiles(dir, id);
    await clearJournal(dir);
    throw error;
  }
  return {
    id,
    commit: () => clearJournal(dir),
    async rollback() {
      await removeFiles(dir, id);
      await clearJournal(dir);
    },
  };
}

/** Removes a speech's files, journaled so that a crash part-way finishes the removal. Call under the corpus lock. */
export async function removeSpeechFiles(dir: string, id: string): Promise<void> {
  await writeJournal(dir, { op: 'remove', id });
  await removeFiles(dir, id);
  await clearJournal(dir);
}

/** Replaces a speech's metadata file atomically. Call under the corpus lock. */
export async function writeSpeechMetaFile(dir: string, meta: SpeechMeta): Promise<void> {
  filesOf(meta.id);
  await writeFileAtomic(dir, `${meta.id}${META_SUFFIX}`, metaFileContent(meta));
  await syncDir(dir);
}
