// The one order of speeches everywhere they are listed: by date, then by id. Pure.

import type { Speech } from './types.ts';

/** Compares speeches by date, then id, for `Array.prototype.sort`. */
export function compareSpeeches(a: Speech, b: Speech): number {
  return a.meta.date.localeCompare(b.meta.date) || a.meta.id.localeCompare(b.meta.id);
}
