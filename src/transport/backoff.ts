/**
 * Retry delays that double from a floor to a ceiling, for listening again after a failure.
 *
 * @module
 */

/**
 * Doubling delays: `next()` gives the delay before the next attempt, `reset()` starts over.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { Backoff } from "./backoff.ts";
 * const backoff = new Backoff(50, 200);
 * assert.deepEqual([backoff.next(), backoff.next(), backoff.next(), backoff.next()], [50, 100, 200, 200]);
 * backoff.reset();
 * assert.ok(backoff.next() === 50);
 * ```
 */
export class Backoff {
  #next: number;

  /**
   * @param floorMs First delay.
   * @param ceilingMs Largest delay.
   */
  constructor(readonly floorMs: number, readonly ceilingMs: number) {
    this.#next = floorMs;
  }

  /** @returns The delay before the next attempt, in milliseconds. */
  next(): number {
    const delay = this.#next;
    this.#next = Math.min(this.ceilingMs, this.#next * 2);
    return delay;
  }

  /** Starts over from the floor (after a success). */
  reset(): void {
    this.#next = this.floorMs;
  }
}
