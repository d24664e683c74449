/**
 * Join-attempt rate limits per key (IP or user): `limit` attempts per 10 seconds.
 *
 * @module
 */
import type { Clock } from "./token_bucket.ts";

/** The window the limit is counted over. */
export const JOIN_WINDOW_MS = 10_000;
/** Keys kept before full buckets are first swept out. */
export const SWEEP_AT = 10_000;

/**
 * Token buckets by key, refilling `limit` tokens per {@linkcode JOIN_WINDOW_MS}. Each bucket is
 * one number, the time at which it is full again (the generic cell rate algorithm): the per-user
 * table holds an entry for every connected user of a node, and an object with the tokens and
 * their time cost three heap objects each. Times are counted in units of 1/`limit` ms since the
 * limiter was made, so that one token is {@linkcode JOIN_WINDOW_MS} whole units and the numbers
 * stay exact however high the limit. Full buckets are dropped when the table grows: once it
 * holds {@linkcode SWEEP_AT} keys, and after each sweep once it holds twice what the sweep kept,
 * so a storm of new users costs each join O(1), not a walk of every bucket, and the table holds
 * at most twice the keys that were active within a window.
 */
export class JoinLimiter {
  /** When each key's bucket is full again (in units of 1/`limit` ms); absent when full. */
  readonly #fullAt = new Map<string, number>();
  readonly #limit: number;
  readonly #clock: Clock;
  /** The clock's reading when the limiter was made: times count from it, so they stay exact. */
  readonly #origin: number;
  /** The table's size that starts the next sweep. */
  #sweepAt = SWEEP_AT;

  /**
   * @param limit Attempts per window.
   * @param clock Milliseconds clock.
   */
  constructor(limit: number, clock: Clock = Date.now) {
    this.#limit = limit;
    this.#clock = clock;
    this.#origin = clock();
  }

  /**
   * Counts one attempt for `key`.
   *
   * @param key E.g. `ip:127.0.0.1` (the node's limit per address) or a user id.
   * @returns 0 when allowed, else the seconds to wait (for `Retry-After`).
   */
  attempt(key: string): number {
    const now = this.#now();
    const fullAt = this.#fullAt.get(key);
    const wait = this.#wait(fullAt, now);
    if (wait > 0) return wait;
    if (fullAt === undefined && this.#fullAt.size >= this.#sweepAt) this.#sweep(now);
    this.#fullAt.set(key, Math.max(fullAt ?? now, now) + JOIN_WINDOW_MS);
    return 0;
  }

  /** Keys held now (buckets not yet swept out). */
  get size(): number {
    return this.#fullAt.size;
  }

  /**
   * What {@linkcode attempt} would answer now, without counting an attempt.
   *
   * @param key E.g. `ip:127.0.0.1` (the node's limit per address) or a user id.
   * @returns 0 when an attempt would be allowed, else the seconds to wait.
   */
  peek(key: string): number {
    return this.#wait(this.#fullAt.get(key), this.#now());
  }

  /** Now, in units of 1/`limit` ms since the limiter was made. */
  #now(): number {
    return (this.#clock() - this.#origin) * this.#limit;
  }

  /** Seconds until the bucket holds a token: it may be short of at most `limit` − 1. */
  #wait(fullAt: number | undefined, now: number): number {
    if (fullAt === undefined) return 0;
    const excess = fullAt - now - (this.#limit - 1) * JOIN_WINDOW_MS;
    return excess <= 0 ? 0 : Math.max(1, Math.ceil(excess / this.#limit / 1000));
  }

  #sweep(now: number): void {
    for (const [key, fullAt] of this.#fullAt) if (fullAt <= now) this.#fullAt.delete(key);
    this.#sweepAt = Math.max(SWEEP_AT, 2 * this.#fullAt.size);
  }
}
