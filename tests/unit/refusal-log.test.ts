// Unit tests of the refusal log: one line per address and reason per interval, with the count left unlogged.

import { describe, expect, it } from 'vitest';
import { createRefusalLog } from '../../server/http/refusal-log.ts';

describe('createRefusalLog', () => {
  it('logs once per address and reason per interval, then reports how many were left out', () => {
    let now = 0;
    const lines: string[] = [];
    const refusals = createRefusalLog({ info: () => {}, error: () => {}, warn: (line) => lines.push(line) }, { intervalMs: 60_000, now: () => now });
    for (let i = 0; i < 100; i += 1) refusals.refused('10.0.0.1', 'address full');
    refusals.refused('10.0.0.2', 'address full');
    refusals.refused('10.0.0.1', 'banned');
    expect(lines).toEqual(['refused 10.0.0.1: address full', 'refused 10.0.0.2: address full', 'refused 10.0.0.1: banned']);
    now = 59_999;
    refusals.refused('10.0.0.1', 'address full');
    expect(lines).toHaveLength(3);
    now = 60_000;
    refusals.refused('10.0.0.1', 'address full');
    expect(lines[3]).toBe('refused 10.0.0.1: address full (and 100 more since the last report)');
  });

  it('stays bounded in memory under refusals from very many addresses', () => {
    let now = 0;
    let count = 0;
    const refusals = createRefusalLog({ info: () => {}, error: () => {}, warn: () => (count += 1) }, { intervalMs: 60_000, now: () => now });
    for (let i = 0; i < 50_000; i += 1) refusals.refused(`10.${i >> 16}.${(i >> 8) & 255}.${i & 255}`, 'banned');
    // Each address is logged at its first refusal; the map is reset rather than grown past its bound, so an early
    // address is logged again within its interval: one extra line is the price of bounded memory.
    expect(count).toBe(50_000);
    now = 1;
    refusals.refused('10.0.0.0', 'banned');
    expect(count).toBe(50_001);
  });
});
