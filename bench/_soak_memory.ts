/**
 * Whether resident memory grows over a soak: the least-squares slope after warm-up (reported),
 * and a growth test on the medians of the first and last thirds (which a collection's dip or
 * the garbage collector's sawtooth moves little).
 *
 * @module
 */

/** One reading. */
export interface MemorySample {
  /** Seconds since the soak started. */
  atS: number;
  /** Resident set in MiB. */
  rssMiB: number;
}

/** The verdict on a series of readings. */
export interface MemoryTrend {
  /** Least-squares slope after warm-up, MiB per minute. */
  slopeMiBPerMin: number;
  /** Median reading of the first third after warm-up, MiB. */
  firstMiB: number;
  /** Median reading of the last third, MiB. */
  lastMiB: number;
  /** Whether the last third's median exceeds the first's by more than the tolerance. */
  grows: boolean;
}

/**
 * Judges memory after warm-up: it grows when the median of the last third of the readings is
 * more than 16 MiB and 10 % above the median of the first third. Medians rather than minimums:
 * a short soak sees one or two collections, and one that hands memory back to the system dips a
 * single reading far below the level the heap returns to; a leak moves the whole third.
 *
 * @param samples Readings in time order.
 * @param warmupS Seconds to leave out at the start.
 * @returns The trend, or `null` with fewer than 3 readings after warm-up.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { memoryTrend } from "./_soak_memory.ts";
 * const flat = [0, 1, 2, 3, 4, 5].map((i) => ({ atS: i * 10, rssMiB: 100 + (i % 2) * 8 }));
 * assert.ok(memoryTrend(flat, 0)?.grows === false);
 * const leak = [0, 1, 2, 3, 4, 5].map((i) => ({ atS: i * 10, rssMiB: 100 + i * 20 }));
 * assert.ok(memoryTrend(leak, 0)?.grows === true);
 * const dip = [156, 134, 148, 151, 152, 153].map((rssMiB, i) => ({ atS: i * 10, rssMiB }));
 * assert.ok(memoryTrend(dip, 0)?.grows === false);
 * ```
 */
export function memoryTrend(samples: readonly MemorySample[], warmupS: number): MemoryTrend | null {
  const after = samples.filter((s) => s.atS >= warmupS);
  if (after.length < 3) return null;
  const n = after.length;
  const meanT = after.reduce((a, s) => a + s.atS, 0) / n;
  const meanM = after.reduce((a, s) => a + s.rssMiB, 0) / n;
  let num = 0;
  let den = 0;
  for (const s of after) {
    num += (s.atS - meanT) * (s.rssMiB - meanM);
    den += (s.atS - meanT) ** 2;
  }
  const third = Math.max(1, Math.floor(n / 3));
  const firstMiB = median(after.slice(0, third));
  const lastMiB = median(after.slice(n - third));
  const growth = lastMiB - firstMiB;
  return {
    slopeMiBPerMin: den === 0 ? 0 : (num / den) * 60,
    firstMiB,
    lastMiB,
    grows: growth > 16 && growth > firstMiB * 0.1,
  };
}

function median(samples: readonly MemorySample[]): number {
  const sorted = samples.map((s) => s.rssMiB).sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
