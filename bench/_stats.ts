/**
 * Percentile maths for latency samples and medians across rounds.
 *
 * @module
 */

/** Latency percentiles in milliseconds. */
export interface LatencySummary {
  /** Samples summarized. */
  count: number;
  /** Median. */
  p50: number;
  /** 95th percentile. */
  p95: number;
  /** 99th percentile. */
  p99: number;
  /** Largest sample. */
  max: number;
}

/**
 * The nearest-rank percentile of sorted values.
 *
 * @param sorted Values in ascending order.
 * @param p Percentile, 0–100.
 * @returns The smallest value with at least `p`% of values at or below it; `NaN` when empty.
 *
 * @example Nearest rank
 * ```ts
 * import assert from "assert";
 * import { percentile } from "./_stats.ts";
 * assert.ok(percentile([1, 2, 3, 4], 50) === 2);
 * assert.ok(percentile([1, 2, 3, 4], 99) === 4);
 * ```
 */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const rank = Math.ceil((Math.min(Math.max(p, 0), 100) / 100) * n);
  return sorted[Math.max(rank, 1) - 1];
}

/**
 * Summarizes microsecond samples as millisecond percentiles. Sorts the first `count` samples
 * in place.
 *
 * @param samples Latency samples in microseconds.
 * @param count How many leading samples are filled.
 * @returns p50, p95, p99 and max in milliseconds (`NaN` when there are no samples).
 *
 * @example Two samples
 * ```ts
 * import assert from "assert";
 * import { summarizeLatency } from "./_stats.ts";
 * const s = summarizeLatency(new Float64Array([3000, 1000, 0]), 2);
 * assert.ok(s.p50 === 1 && s.max === 3 && s.count === 2);
 * ```
 */
export function summarizeLatency(samples: Float64Array, count: number): LatencySummary {
  const filled = samples.subarray(0, Math.min(count, samples.length)).sort();
  const ms = (v: number) => v / 1000;
  return {
    count: filled.length,
    p50: ms(percentile(filled, 50)),
    p95: ms(percentile(filled, 95)),
    p99: ms(percentile(filled, 99)),
    max: ms(filled.length > 0 ? filled[filled.length - 1] : NaN),
  };
}

/** Width of a {@linkcode LatencyHistogram} bucket, in microseconds. */
export const HISTOGRAM_BUCKET_US = 10;

/**
 * Latency samples counted in {@linkcode HISTOGRAM_BUCKET_US}-wide buckets: `[bucket start in
 * µs, count]` pairs in ascending order, empty buckets left out. Histograms of load processes
 * that measured the same server at once add up to the histogram of their samples together.
 */
export type LatencyHistogram = [number, number][];

/**
 * Counts the first `count` samples into buckets.
 *
 * @param samples Latency samples in microseconds.
 * @param count How many leading samples are filled.
 * @returns The histogram.
 */
export function latencyHistogram(samples: Float64Array, count: number): LatencyHistogram {
  const counts = new Map<number, number>();
  for (let i = 0; i < Math.min(count, samples.length); i++) {
    const bucket = Math.floor(samples[i] / HISTOGRAM_BUCKET_US) * HISTOGRAM_BUCKET_US;
    counts.set(bucket, (counts.get(bucket) ?? 0) + 1);
  }
  return [...counts].sort((a, b) => a[0] - b[0]);
}

/**
 * Adds up histograms taken at the same time (by load processes measuring one server).
 *
 * @param histograms The histograms.
 * @returns One histogram of all their samples.
 */
export function mergeHistograms(histograms: readonly LatencyHistogram[]): LatencyHistogram {
  const counts = new Map<number, number>();
  for (const histogram of histograms) {
    for (const [bucket, n] of histogram) counts.set(bucket, (counts.get(bucket) ?? 0) + n);
  }
  return [...counts].sort((a, b) => a[0] - b[0]);
}

/**
 * Summarizes a histogram: percentiles to the bucket (each sample counted as its bucket's
 * start), like {@linkcode summarizeLatency} within {@linkcode HISTOGRAM_BUCKET_US}.
 *
 * @param histogram The histogram.
 * @returns p50, p95, p99 and max in milliseconds (`NaN` when there are no samples).
 *
 * @example Two load processes
 * ```ts
 * import assert from "assert";
 * import { mergeHistograms, summarizeHistogram } from "./_stats.ts";
 * const s = summarizeHistogram(mergeHistograms([[[1000, 3]], [[2000, 1], [9000, 1]]]));
 * assert.ok(s.count === 5 && s.p50 === 1 && s.p95 === 9 && s.max === 9);
 * ```
 */
export function summarizeHistogram(histogram: LatencyHistogram): LatencySummary {
  const total = histogram.reduce((sum, [, n]) => sum + n, 0);
  const at = (p: number): number => {
    const rank = Math.max(Math.ceil((p / 100) * total), 1);
    let seen = 0;
    for (const [bucket, n] of histogram) {
      seen += n;
      if (seen >= rank) return bucket / 1000;
    }
    return NaN;
  };
  return { count: total, p50: at(50), p95: at(95), p99: at(99), max: at(100) };
}

/**
 * The median of values, ignoring `null` and `NaN`.
 *
 * @param values Values, some possibly missing.
 * @returns The median (mean of the middle two for an even count), or `null` when none remain.
 *
 * @example Odd and even counts
 * ```ts
 * import assert from "assert";
 * import { median } from "./_stats.ts";
 * assert.ok(median([3, 1, 2]) === 2);
 * assert.ok(median([4, 1, null, 2, 3]) === 2.5);
 * ```
 */
export function median(values: readonly (number | null)[]): number | null {
  const present = values.filter((v): v is number => v !== null && !Number.isNaN(v));
  if (present.length === 0) return null;
  present.sort((a, b) => a - b);
  const mid = present.length >> 1;
  return present.length % 2 === 1 ? present[mid] : (present[mid - 1] + present[mid]) / 2;
}
