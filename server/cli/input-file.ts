// Files named on a command line: read relative to where the command was typed, and every way that can fail
// (no such file, a folder, no permission) said in words that name the path and the fix.

import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '../core/errors.ts';

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
