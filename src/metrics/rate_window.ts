/**
 * Event counts in a ring of fixed-width time slots, for rates over a sliding window.
 *
 * @module
 */

/**
 * Counts events in a ring of `slots` time slots of `slotMs` each, so that rates over the last
 * minute or five minutes cost one pass over the ring and memory stays fixed. Adding is O(1).
 *
 * A rate is the count in the window divided by the time the window covers, never by more than
 * the time since `startMs`, so rates are not understated just after start-up.
 *
 * @example Two events per second for a minute
 * ```ts
 * import assert from "assert";
 * import { RateWindow } from "./rate_window.ts";
 * const window = new RateWindow(300, 1_000, 0);
 * for (let t = 0; t < 60_000; t += 500) window.add(t);
 * assert.ok(window.count(59_999, 60_000) === 120);
 * assert.ok(Math.abs(window.rate(59_999, 60_000) - 2) < 0.001);
 * ```
 */
export class RateWindow {
  readonly #slotMs: number;
  readonly #startMs: number;
  readonly #slots: number;
  /**
   * Entry i is at [2i] the absolute slot number (time / slotMs) it holds, NaN when never used,
   * and at [2i + 1] its count: one array per window keeps a per-room window small.
   */
  readonly #ring: Float64Array;
  #lastEventMs = Number.NEGATIVE_INFINITY;

  /**
   * Creates an empty window.
   *
   * @param slots Number of slots in the ring (the longest window is `slots * slotMs`).
   * @param slotMs Width of one slot in milliseconds.
   * @param startMs When counting started, in the same clock as later calls.
   * @throws {RangeError} When `slots` or `slotMs` is not a positive integer.
   */
  constructor(slots: number, slotMs: number, startMs: number) {
    if (!Number.isInteger(slots) || slots < 1) {
      throw new RangeError(
        `Cannot create rate window: slots must be a positive integer (${slots})`,
      );
    }
    if (!Number.isInteger(slotMs) || slotMs < 1) {
      throw new RangeError(
        `Cannot create rate window: slotMs must be a positive integer (${slotMs})`,
      );
    }
    this.#slotMs = slotMs;
    this.#startMs = startMs;
    this.#slots = slots;
    this.#ring = new Float64Array(2 * slots);
    for (let i = 0; i < this.#ring.length; i += 2) this.#ring[i] = Number.NaN;
  }

  /** The longest window this ring can answer for, in milliseconds. */
  get spanMs(): number {
    return this.#slots * this.#slotMs;
  }

  /** Time of the latest `add()`, or `-Infinity` when nothing was added. */
  get lastEventMs(): number {
    return this.#lastEventMs;
  }

  /**
   * Records `count` events at `nowMs`.
   *
   * @param nowMs Current time in milliseconds.
   * @param count Number of events (default 1).
   */
  add(nowMs: number, count = 1): void {
    const slot = Math.floor(nowMs / this.#slotMs);
    const index = 2 * (slot % this.#slots);
    if (this.#ring[index] === slot) {
      this.#ring[index + 1] += count;
    } else {
      this.#ring[index] = slot;
      this.#ring[index + 1] = count;
    }
    if (nowMs > this.#lastEventMs) this.#lastEventMs = nowMs;
  }

  /**
   * Counts the events in the current slot and the slots before it that fit in `windowMs`.
   *
   * @param nowMs Current time in milliseconds.
   * @param windowMs Window length, rounded up to whole slots and capped at `spanMs`.
   * @returns The number of events in the window.
   */
  count(nowMs: number, windowMs: number = this.spanMs): number {
    const current = Math.floor(nowMs / this.#slotMs);
    const oldest = current - this.#slotsIn(windowMs) + 1;
    let total = 0;
    for (let i = 0; i < this.#ring.length; i += 2) {
      const id = this.#ring[i];
      if (id >= oldest && id <= current) total += this.#ring[i + 1];
    }
    return total;
  }

  /**
   * Events per second over the window: the count divided by the time the window covers (from
   * the start of its oldest slot, or from `startMs` if later, to `nowMs`; at least one slot).
   *
   * @param nowMs Current time in milliseconds.
   * @param windowMs Window length, rounded up to whole slots and capped at `spanMs`.
   * @returns Events per second.
   */
  rate(nowMs: number, windowMs: number = this.spanMs): number {
    const current = Math.floor(nowMs / this.#slotMs);
    const oldestStartMs = (current - this.#slotsIn(windowMs) + 1) * this.#slotMs;
    const coveredMs = nowMs - Math.max(oldestStartMs, this.#startMs);
    return this.count(nowMs, windowMs) / (Math.max(coveredMs, this.#slotMs) / 1000);
  }

  #slotsIn(windowMs: number): number {
    return Math.min(Math.max(1, Math.ceil(windowMs / this.#slotMs)), this.#slots);
  }
}
