// Logs refusals (connections over a limit, pages of another origin) once per address and reason per interval, with
// the count of those left unlogged, so that a flood of refusals cannot flood the log.

import type { Logger } from '../core/logger.ts';

/** Most address-and-reason pairs remembered at once. */
const MAX_TRACKED = 10_000;

/** A throttled log of refusals. */
export interface RefusalLog {
  /** Logs the refusal of `address` for `reason`, unless that pair was logged less than an interval ago. */
  refused(address: string, reason: string): void;
}

/** Creates a refusal log writing warnings to `log` at most once per address and reason every `intervalMs`. */
export function createRefusalLog(log: Logger, options: { intervalMs: number; now?: () => number }): RefusalLog {
  const now = options.now ?? Date.now;
  const seen = new Map<string, { at: number; unlogged: number }>();
  return {
    refused(address, reason) {
      const key = `${address} ${reason}`;
      const time = now();
      const entry = seen.get(key);
      if (entry !== undefined && time - entry.at < options.intervalMs) {
        entry.unlogged += 1;
        return;
      }
      const more = entry !== undefined && entry.unlogged > 0 ? ` (and ${entry.unlogged} more since the last report)` : '';
      log.warn(`refused ${address}: ${reason}${more}`);
      // Entries older than an interval can go; a map still full after that (a refusal storm from many addresses)
      // starts afresh, so that memory stays bounded whatever the attacker's address space.
      if (seen.size >= MAX_TRACKED) {
        for (const [k, v] of seen) if (time - v.at >= options.intervalMs) seen.delete(k);
        if (seen.size >= MAX_TRACKED) seen.clear();
      }
      seen.set(key, { at: time, unlogged: 0 });
    },
  };
}
