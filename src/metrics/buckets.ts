/**
 * Histogram bucket bounds of the metrics.
 *
 * @module
 */

/** Broadcast fan-out time, 1 µs to 1 s (1 / 2.5 / 5 per decade). */
export const BROADCAST_BUCKETS = decades(-6, 0);
/** Time from publishing a message to its commit, 100 µs to 5 s. */
export const STORE_WRITE_BUCKETS = decades(-4, 1).filter((bound) => bound <= 5);
/** Members per room. */
export const ROOM_MEMBER_BUCKETS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1e3, 2e3, 5e3, 1e4];

/** Bucket bounds 1, 2.5, 5 × 10^e for e in [from, to), then 10^to. */
function decades(from: number, to: number): number[] {
  const bounds: number[] = [];
  for (let e = from; e < to; e++) {
    for (const m of [1, 2.5, 5]) bounds.push(Number((m * 10 ** e).toPrecision(2)));
  }
  bounds.push(10 ** to);
  return bounds;
}
