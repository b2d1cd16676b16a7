// The reconnection delay policy: exponential backoff with a cap and a little jitter.

/** How reconnection delays grow. */
export interface BackoffPolicy {
  /** Delay before the first retry, in ms. */
  initialMs: number;
  /** Multiplier applied per consecutive failure. */
  factor: number;
  /** The cap, in ms; delays never exceed it. */
  maxMs: number;
  /** Fraction (0–1) of the delay that is randomised, so many tabs don't reconnect in lockstep after a restart. */
  jitter: number;
}

/**
 * Retries after ~0.25 s, 0.5 s, 1 s, then every 2 s at most: a server that is back is found within about 2 s. A
 * failed attempt on a local server costs next to nothing, so a longer wait would only keep the user waiting.
 */
export const DEFAULT_BACKOFF: BackoffPolicy = { initialMs: 250, factor: 2, maxMs: 2_000, jitter: 0.25 };

/**
 * The delay before retry number `attempt` (1-based).
 * @param random source of randomness in [0, 1); injectable for deterministic tests.
 */
export function backoffDelay(attempt: number, policy: BackoffPolicy = DEFAULT_BACKOFF, random: () => number = Math.random): number {
  const exponent = Math.max(0, attempt - 1);
  const base = Math.min(policy.maxMs, policy.initialMs * policy.factor ** exponent);
  // Jitter only shortens the delay, so the cap stays a true upper bound.
  return Math.round(base * (1 - policy.jitter * random()));
}
