/**
 * Join-attempt rate limits per key (IP or user): `limit` attempts per 10 seconds.
 *
 * @module
 */
import type { Clock } from "./token_bucket.ts";

/** The window the limit is counted over. */
export const JOIN_WINDOW_MS = 10_000;
/** Keys kept before idle ones are swept out. */
const SWEEP_AT = 10_000;

interface Bucket {
  tokens: number;
  last: number;
}

/**
 * Token buckets by key, refilling `limit` tokens per {@linkcode JOIN_WINDOW_MS}. Full buckets
 * are dropped when the table grows, so memory stays bounded.
 */
export class JoinLimiter {
  readonly #buckets = new Map<string, Bucket>();
  readonly #limit: number;
  readonly #clock: Clock;

  /**
   * @param limit Attempts per window.
   * @param clock Milliseconds clock.
   */
  constructor(limit: number, clock: Clock = Date.now) {
    this.#limit = limit;
    this.#clock = clock;
  }

  /**
   * Counts one attempt for `key`.
   *
   * @param key E.g. `ip:127.0.0.1` or `user:42`.
   * @returns 0 when allowed, else the seconds to wait (for `Retry-After`).
   */
  attempt(key: string): number {
    const now = this.#clock();
    const perMs = this.#limit / JOIN_WINDOW_MS;
    let bucket = this.#buckets.get(key);
    if (!bucket) {
      if (this.#buckets.size >= SWEEP_AT) this.#sweep(now, perMs);
      bucket = { tokens: this.#limit, last: now };
      this.#buckets.set(key, bucket);
    }
    bucket.tokens = Math.min(this.#limit, bucket.tokens + (now - bucket.last) * perMs);
    bucket.last = now;
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - bucket.tokens) / perMs / 1000));
  }

  /**
   * What {@linkcode attempt} would answer now, without counting an attempt.
   *
   * @param key E.g. `ip:127.0.0.1` or `user:42`.
   * @returns 0 when an attempt would be allowed, else the seconds to wait.
   */
  peek(key: string): number {
    const bucket = this.#buckets.get(key);
    if (!bucket) return 0;
    const perMs = this.#limit / JOIN_WINDOW_MS;
    const tokens = Math.min(this.#limit, bucket.tokens + (this.#clock() - bucket.last) * perMs);
    return tokens >= 1 ? 0 : Math.max(1, Math.ceil((1 - tokens) / perMs / 1000));
  }

  #sweep(now: number, perMs: number): void {
    for (const [key, bucket] of this.#buckets) {
      if (bucket.tokens + (now - bucket.last) * perMs >= this.#limit) this.#buckets.delete(key);
    }
  }
}
