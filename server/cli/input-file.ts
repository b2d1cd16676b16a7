// Files and folders named on a command line: read relative to where the command was typed, a folder's speech files
// listed, and every way that can fail (no such file, a folder, no permission) said in words that name the path
// and the fix.

import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '../core/errors.ts';
import { describeFormats, formatOfFileName } from '../core/source-formats.ts';

/**
 * A file-system failure on a path the user named, as an `AppError` that names the path and the fix; null for
 * anything else.
 */
export function fileErrorOf(error: unknown): AppError | null {
  const { code, path: where } = (error ?? {}) as NodeJS.ErrnoException;
  const name = where === undefined ? 'the file' : JSON.stringify(where);
  const reasons: Record<string, string> = {
    ENOENT: `${name}: no such file; check the name (a relative name is read from the folder the command was typed in)`,
    EISDIR: `${name}: is a folder, not a file; name the files inside it instead (e.g. ${(where ?? 'folder').replace(/[\\/]+$/, '')}/*.pdf)`,
    ENOTDIR: `${name}: a part of this path is a file, not a folder`,
    EACCES: `${name}: permission denied; check who may read it`,
    EPERM: `${name}: not permitted`,
  };
  const reason = code === undefined ? undefined : reasons[code];
  return reason === undefined ? null : new AppError('bad_request', reason, { cause: error });
}

/**
 * Reads a file the user named, relative to `base` (where the command was typed).
 * @param options.maxBytes refuse larger files with `too_large` before reading them.
 * @throws AppError `bad_request` naming the path (missing, a folder, no permission), `too_large`.
 */
export async function readInputFile(base: string, file: string, options: { maxBytes?: number } = {}): Promise<Buffer> {
  const full = path.resolve(base, file);
  try {
    const info = await stat(full);
    if (info.isDirectory()) throw Object.assign(new Error('is a folder'), { code: 'EISDIR', path: file });
    if (options.maxBytes !== undefined && info.size > options.maxBytes) {
      throw new AppError('too_large', `${JSON.stringify(file)}: the file is larger than ${Math.round(options.maxBytes / 1024 / 1024)} MB`);
    }
    return await readFile(full);
  } catch (error) {
    if (error instanceof AppError) throw error;
    // Named as the user typed it, not as resolved.
    throw fileErrorOf(Object.assign(error as object, { path: file })) ?? error;
  }
}

/** What a folder holds for adding: its speech files (paths as the user would type them), and what was left out. */
export interface FolderListing {
  files: string[];
  /** Files of other types, hidden files included. */
  otherFiles: number;
  /** Sub-folders, which are not searched. */
  folders: number;
}

/**
 * The speech files in a folder the user named (not in its sub-folders), by name, or null when `folder` is not a
 * folder (then it is read as a file).
 * @throws AppError `bad_request` naming the folder when it cannot be read.
 */
export async function listSpeechFolder(base: string, folder: string): Promise<FolderListing | null> {
  const full = path.resolve(base, folder);
  try {
    if (!(await stat(full)).isDirectory()) return null;
    const entries = (await readdir(full, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name));
    const listing: FolderListing = { files: [], otherFiles: 0, folders: 0 };
    for (const entry of entries) {
      if (entry.isDirectory()) listing.folders += 1;
      else if (entry.isFile() && !entry.name.startsWith('.') && formatOfFileName(entry.name) !== null) listing.files.push(path.join(folder, entry.name));
      else listing.otherFiles += 1;
    }
    if (listing.files.length === 0) {
      throw new AppError('bad_request', `${JSON.stringify(folder)}: the folder holds no speech files (${describeFormats()}); sub-folders are not searched, name them to add theirs`);
    }
    return listing;
  } catch (error) {
    if (error instanceof AppError) throw error;
    // A name that does not exist is reported when it is read as a file.
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw fileErrorOf(Object.assign(error as object, { path: folder })) ?? error;
  }
}
