// What a command wrote to a folder, told from the outside: every file's size and modification time, before and after.

import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';

/** Every file below a folder (relative path) with its size and modification time. */
export type FolderSnapshot = ReadonlyMap<string, { bytes: number; mtimeMs: number }>;

/** Reads every file below `dir`; a missing folder is empty. */
export async function snapshotFolder(dir: string): Promise<FolderSnapshot> {
  const files = new Map<string, { bytes: number; mtimeMs: number }>();
  let entries: string[];
  try {
    entries = await readdir(dir, { recursive: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return files;
    throw error;
  }
  for (const entry of entries) {
    const info = await stat(path.join(dir, entry)).catch(() => null);
    if (info?.isFile() === true) files.set(entry, { bytes: info.size, mtimeMs: info.mtimeMs });
  }
  return files;
}

/** The bytes of every file in the snapshot. */
export function folderBytes(snapshot: FolderSnapshot): number {
  let bytes = 0;
  for (const file of snapshot.values()) bytes += file.bytes;
  return bytes;
}

/** The bytes of the files that are new in `after`, or whose size or modification time changed since `before`. */
export function bytesWritten(before: FolderSnapshot, after: FolderSnapshot): number {
  let bytes = 0;
  for (const [name, file] of after) {
    const earlier = before.get(name);
    if (earlier === undefined || earlier.bytes !== file.bytes || earlier.mtimeMs !== file.mtimeMs) bytes += file.bytes;
  }
  return bytes;
}
