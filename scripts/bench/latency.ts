// Summaries of measured times: the quantiles the benchmark reports, from one definition of a quantile.

import { quantile } from '../../server/core/evaluation.ts';

/** Quantiles of a set of times, in ms. */
export interface Latency {
  n: number;
  median: number;
  p95: number;
  p99: number;
  max: number;
}

/** The median, p95, p99 and maximum of `times` (NaN for none). */
export function latencyOf(times: readonly number[]): Latency {
  return {
    n: times.length,
    median: quantile(times, 0.5),
    p95: quantile(times, 0.95),
    p99: quantile(times, 0.99),
    max: times.reduce((most, time) => Math.max(most, time), times.length === 0 ? Number.NaN : -Infinity),
  };
}
