// A token bucket: a steady rate of requests with room for short bursts, one per connection.

/** Bucket size and refill rate. */
export interface RateLimit {
  /** Requests allowed at once after a quiet spell. */
  burst: number;
  /** Requests allowed per second, sustained. */
  perSecond: number;
}

/** A token bucket over a clock (injectable for tests). */
export class TokenBucket {
  #tokens: number;
  #last: number;
  readonly #limit: RateLimit;
  readonly #now: () => number;

  constructor(limit: RateLimit, now: () => number = () => performance.now()) {
    this.#limit = limit;
    this.#now = now;
    this.#tokens = limit.burst;
    this.#last = now();
  }

  /** Takes one token; false when the bucket is empty. */
  take(): boolean {
    const now = this.#now();
    this.#tokens = Math.min(this.#limit.burst, this.#tokens + ((now - this.#last) / 1000) * this.#limit.perSecond);
    this.#last = now;
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }

  /** Returns a token taken for a request that was then refused for another reason, so a refusal costs no quota. */
  giveBack(): void {
    this.#tokens = Math.min(this.#limit.burst, this.#tokens + 1);
  }
}
