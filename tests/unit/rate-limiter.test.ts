// Unit tests of the token bucket with an injected clock: bursts, refusal, refill and the burst ceiling.

import { describe, expect, it } from 'vitest';
import { TokenBucket } from '../../server/http/rate-limiter.ts';

/** A manual clock in milliseconds. */
function manualClock(start = 1_000): { now: () => number; advance: (ms: number) => void } {
  let time = start;
  return {
    now: () => time,
    advance: (ms) => {
      time += ms;
    },
  };
}

/** Takes `n` times and returns how many were allowed. */
function takeMany(bucket: TokenBucket, n: number): number {
  let allowed = 0;
  for (let i = 0; i < n; i += 1) if (bucket.take()) allowed += 1;
  return allowed;
}

describe('TokenBucket', () => {
  it('allows a full burst at once, then refuses', () => {
    const clock = manualClock();
    const bucket = new TokenBucket({ burst: 5, perSecond: 1 }, clock.now);
    for (let i = 0; i < 5; i += 1) expect(bucket.take(), `take #${i + 1}`).toBe(true);
    expect(bucket.take()).toBe(false);
    expect(bucket.take()).toBe(false);
  });

  it('refills one token per 1/perSecond seconds', () => {
    const clock = manualClock();
    const bucket = new TokenBucket({ burst: 2, perSecond: 2 }, clock.now);
    expect(takeMany(bucket, 2)).toBe(2);
    expect(bucket.take()).toBe(false);
    clock.advance(500);
    expect(bucket.take()).toBe(true);
    expect(bucket.take()).toBe(false);
    clock.advance(1_000);
    expect(takeMany(bucket, 5)).toBe(2);
  });

  it('does not allow a request before a whole token has refilled', () => {
    const clock = manualClock();
    const bucket = new TokenBucket({ burst: 1, perSecond: 1 }, clock.now);
    expect(bucket.take()).toBe(true);
    clock.advance(999);
    expect(bucket.take()).toBe(false);
    clock.advance(1);
    expect(bucket.take()).toBe(true);
  });

  it('keeps partial refills across refused requests', () => {
    const clock = manualClock();
    const bucket = new TokenBucket({ burst: 1, perSecond: 1 }, clock.now);
    expect(bucket.take()).toBe(true);
    for (let i = 0; i < 4; i += 1) {
      clock.advance(250);
      expect(bucket.take()).toBe(i === 3);
    }
  });

  it('never holds more than the burst, however long it is idle', () => {
    const clock = manualClock();
    const bucket = new TokenBucket({ burst: 3, perSecond: 10 }, clock.now);
    clock.advance(60 * 60 * 1_000);
    expect(takeMany(bucket, 10)).toBe(3);
    clock.advance(10_000);
    expect(takeMany(bucket, 10)).toBe(3);
  });

  it('sustains perSecond requests per second over a long run', () => {
    const clock = manualClock();
    const bucket = new TokenBucket({ burst: 4, perSecond: 2 }, clock.now);
    let allowed = 0;
    // One attempt every 100 ms for 10 s: the burst plus 2 per second.
    for (let i = 0; i < 100; i += 1) {
      if (bucket.take()) allowed += 1;
      clock.advance(100);
    }
    expect(allowed).toBeGreaterThanOrEqual(4 + 19);
    expect(allowed).toBeLessThanOrEqual(4 + 20);
  });

  it('reads the clock it is given, not the real one', () => {
    const clock = manualClock(0);
    const bucket = new TokenBucket({ burst: 1, perSecond: 1000 }, clock.now);
    expect(bucket.take()).toBe(true);
    // Real time passes here, but the injected clock does not move.
    const until = Date.now() + 5;
    while (Date.now() < until) {
      /* spin */
    }
    expect(bucket.take()).toBe(false);
  });

  it('works with the default clock', () => {
    const bucket = new TokenBucket({ burst: 2, perSecond: 0.001 });
    expect(takeMany(bucket, 3)).toBe(2);
  });

  it('takes back a token given back, up to the burst', () => {
    const clock = manualClock();
    const bucket = new TokenBucket({ burst: 2, perSecond: 0.001 }, clock.now);
    expect(takeMany(bucket, 2)).toBe(2);
    bucket.giveBack();
    expect(bucket.take()).toBe(true);
    expect(bucket.take()).toBe(false);
    bucket.giveBack();
    bucket.giveBack();
    bucket.giveBack();
    expect(takeMany(bucket, 5)).toBe(2);
  });
});
