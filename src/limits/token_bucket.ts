/**
 * A token bucket: `rate` tokens per second, holding at most `burst`.
 *
 * @module
 */

/** Milliseconds clock; `performance.now` in production, a fake in tests. */
export type Clock = () => number;

/** The monotonic clock, bound once and shared by every bucket. */
export const monotonicClock: Clock = performance.now.bind(performance);

/**
 * A token bucket refilled continuously.
 *
 * @example Burst then refuse
 * ```ts
 * import assert from "assert";
 * import { TokenBucket } from "./token_bucket.ts";
 * let now = 0;
 * const bucket = new TokenBucket(1, 2, () => now);
 * assert.ok(bucket.take() && bucket.take() && !bucket.take());
 * now = 1000;
 * assert.ok(bucket.take());
 * ```
 */
export class TokenBucket {
  #tokens: number;
  #last: number;
  #rate: number;
  #burst: number;
  readonly #clock: Clock;

  /**
   * @param rate Tokens added per second.
   * @param burst Capacity; the bucket starts full.
   * @param clock Milliseconds clock.
   */
  constructor(rate: number, burst: number, clock: Clock = monotonicClock) {
    this.#rate = rate;
    this.#burst = burst;
    this.#tokens = burst;
    this.#clock = clock;
    this.#last = clock();
  }

  /**
   * Changes rate and capacity, keeping the tokens held (capped at the new burst).
   *
   * @param rate Tokens per second.
   * @param burst Capacity.
   */
  configure(rate: number, burst: number): void {
    this.#refill();
    this.#rate = rate;
    this.#burst = burst;
    this.#tokens = Math.min(this.#tokens, burst);
  }

  /**
   * Takes one token if there is one.
   *
   * @returns Whether a token was taken.
   */
  take(): boolean {
    this.#refill();
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }

  /**
   * Milliseconds until one token will be available.
   *
   * @returns 0 when a token is available now.
   */
  waitMs(): number {
    this.#refill();
    return this.#tokens >= 1 ? 0 : Math.ceil(((1 - this.#tokens) / this.#rate) * 1000);
  }

  #refill(): void {
    const now = this.#clock();
    const elapsed = now - this.#last;
    this.#last = now;
    if (elapsed > 0) {
      this.#tokens = Math.min(this.#burst, this.#tokens + (elapsed * this.#rate) / 1000);
    }
  }
}
