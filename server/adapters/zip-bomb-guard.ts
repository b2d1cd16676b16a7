// Checks a zip archive (a Word .docx) before anything parses it: the sizes its entries declare, their compression
// ratio, and the bytes they really inflate to, inflating each entry only up to what is left of a fixed budget.

import { inflateRawSync } from 'node:zlib';
import { AppError } from '../core/errors.ts';

/** The bounds an archive must stay within. */
export interface ZipBounds {
  /** All entries together may inflate to at most this many bytes. */
  maxInflatedBytes: number;
}

/** Most entries an archive may have (a Word document has a few dozen). */
const MAX_ENTRIES = 2_000;
/**
 * Highest inflated-to-compressed ratio of an entry larger than {@link RATIO_EXEMPT_BYTES}: Word's XML compresses
 * about 5 to 20 times, a bomb hundreds of times.
 */
const MAX_RATIO = 100;
/** Entries that inflate to less than this may compress as well as they like (a run of spaces, an empty part). */
const RATIO_EXEMPT_BYTES = 1024 * 1024;

const EOCD_SIGNATURE = 0x06054b50;
const CENTRAL_SIGNATURE = 0x02014b50;
const LOCAL_SIGNATURE = 0x04034b50;
const EOCD_MIN_BYTES = 22;
/** Sizes of 0xFFFFFFFF mean "see the ZIP64 extra field": an archive of 4 GB or more, which no speech is. */
const ZIP64_MARKER = 0xffffffff;

/** One entry as the central directory describes it. */
interface ZipEntry {
  name: string;
  method: number;
  compressedSize: number;
  inflatedSize: number;
  localHeaderOffset: number;
}

function damaged(name: string, what: string): AppError {
  return new AppError('unreadable', `${name}: the Word document is damaged and cannot be read (${what})`);
}

function tooLarge(name: string, what: string): AppError {
  return new AppError('too_large', `${name}: the Word document is too large to read safely (${what})`);
}

/** Finds the end-of-central-directory record, searching back over a trailing comment of up to 64 kB. */
function findEndRecord(bytes: Buffer, name: string): { entries: number; directoryOffset: number } {
  const earliest = Math.max(0, bytes.length - EOCD_MIN_BYTES - 0xffff);
  for (let at = bytes.length - EOCD_MIN_BYTES; at >= earliest; at -= 1) {
    if (bytes.readUInt32LE(at) !== EOCD_SIGNATURE) continue;
    return { entries: bytes.readUInt16LE(at + 10), directoryOffset: bytes.readUInt32LE(at + 16) };
  }
  throw damaged(name, 'no zip directory');
}

/** Reads the central directory: what each entry claims to be. */
function readDirectory(bytes: Buffer, name: string): ZipEntry[] {
  const { entries: count, directoryOffset } = findEndRecord(bytes, name);
  if (count > MAX_ENTRIES) throw tooLarge(name, `${count} parts in the archive`);
  const entries: ZipEntry[] = [];
  let at = directoryOffset;
  for (let i = 0; i < count; i += 1) {
    if (at + 46 > bytes.length || bytes.readUInt32LE(at) !== CENTRAL_SIGNATURE) throw damaged(name, 'a broken zip directory');
    const nameLength = bytes.readUInt16LE(at + 28);
    entries.push({
      method: bytes.readUInt16LE(at + 10),
      compressedSize: bytes.readUInt32LE(at + 20),
      inflatedSize: bytes.readUInt32LE(at + 24),
      localHeaderOffset: bytes.readUInt32LE(at + 42),
      name: bytes.toString('utf8', at + 46, Math.min(bytes.length, at + 46 + nameLength)),
    });
    at += 46 + nameLength + bytes.readUInt16LE(at + 30) + bytes.readUInt16LE(at + 32);
  }
  return entries;
}

/** Checks what the entries declare, before inflating anything. */
function checkDeclared(entries: readonly ZipEntry[], bounds: ZipBounds, name: string): void {
  let total = 0;
  for (const entry of entries) {
    if (entry.inflatedSize === ZIP64_MARKER || entry.compressedSize === ZIP64_MARKER) throw tooLarge(name, 'a part of 4 GB or more');
    total += entry.inflatedSize;
    if (entry.inflatedSize > RATIO_EXEMPT_BYTES && entry.inflatedSize > MAX_RATIO * Math.max(1, entry.compressedSize)) {
      throw tooLarge(name, `a part compressed ${Math.round(entry.inflatedSize / Math.max(1, entry.compressedSize))} times, more than ${MAX_RATIO}`);
    }
  }
  if (total > bounds.maxInflatedBytes) throw tooLarge(name, `it inflates to ${megabytes(total)}, more than ${megabytes(bounds.maxInflatedBytes)}`);
}

const megabytes = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(bytes < 1024 * 1024 ? 2 : 0)} MB`;

/** The compressed bytes of an entry, found through its local header (as zip readers, mammoth's included, do). */
function dataOf(bytes: Buffer, entry: ZipEntry, name: string): Buffer {
  const at = entry.localHeaderOffset;
  if (at + 30 > bytes.length || bytes.readUInt32LE(at) !== LOCAL_SIGNATURE) throw damaged(name, 'a broken part header');
  const start = at + 30 + bytes.readUInt16LE(at + 26) + bytes.readUInt16LE(at + 28);
  if (start + entry.compressedSize > bytes.length) throw damaged(name, 'a part cut short');
  return bytes.subarray(start, start + entry.compressedSize);
}

/**
 * Checks that a zip archive is safe to hand to a zip reader: at most {@link MAX_ENTRIES} entries, declared sizes
 * within `maxInflatedBytes` in all and no large entry compressed more than {@link MAX_RATIO} times, and the real
 * inflated bytes within the same budget. Inflating stops as soon as the budget is exceeded, whatever the archive
 * declares; an entry that inflates to another size than it declares is damaged (or lying).
 * @throws AppError `too_large` past a bound, `unreadable` for a damaged archive.
 */
export function checkZipBounds(input: Uint8Array, bounds: ZipBounds, options: { name: string }): void {
  const bytes = Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  const { name } = options;
  const entries = readDirectory(bytes, name);
  checkDeclared(entries, bounds, name);
  let left = bounds.maxInflatedBytes;
  for (const entry of entries) {
    const data = dataOf(bytes, entry, name);
    let inflated: number;
    if (entry.method === 0) inflated = data.length;
    else if (entry.method === 8) {
      try {
        // One byte over what is left is enough to know the budget is exceeded.
        inflated = inflateRawSync(data, { maxOutputLength: Math.max(1, left + 1) }).length;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw tooLarge(name, `it inflates to more than ${megabytes(bounds.maxInflatedBytes)}`);
        throw damaged(name, 'a part that does not inflate');
      }
    } else throw damaged(name, `a part compressed with method ${entry.method}`);
    if (inflated > left) throw tooLarge(name, `it inflates to more than ${megabytes(bounds.maxInflatedBytes)}`);
    if (inflated !== entry.inflatedSize) throw damaged(name, 'a part whose size differs from the one declared');
    left -= inflated;
  }
}
