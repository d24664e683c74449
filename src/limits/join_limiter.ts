/**
 * Join-attempt rate limits per key (IP or user): `limit` attempts per 10 seconds.
 *
 * @module
 */
import type { Clock } from "./token_bucket.ts";

/** The window the limit is counted over. */
export const JOIN_WINDOW_MS = 10_000;
/** Time between two sweeps of the full buckets. */
const SWEEP_EVERY_MS = 1_000;

/**
 * Token buckets by key, refilling `limit` tokens per {@linkcode JOIN_WINDOW_MS}. Each bucket is
 * one number, the time at which it is full again (the generic cell rate algorithm). Times are
 * counted in units of 1/`limit` ms since the limiter was made, so that one token is
 * {@linkcode JOIN_WINDOW_MS} whole units and the numbers stay exact however high the limit.
 * A full bucket is the same as none, so a sweep every {@linkcode SWEEP_EVERY_MS} drops them:
 * the table holds only the keys that made an attempt within the last window, not every user
 * still connected, and an attempt never walks it. The sweep's timer runs only while the table
 * holds buckets and never keeps the process alive.
 */
export class JoinLimiter {
  /** When each key's bucket is full again (in units of 1/`limit` ms); absent when full. */
  readonly #fullAt = new Map<string, number>();
  readonly #limit: number;
  readonly #clock: Clock;
  /** The clock's reading when the limiter was made: times count from it, so they stay exact. */
  readonly #origin: number;
  readonly #sweepEveryMs: number;
  #sweeper: ReturnType<typeof setInterval> | undefined;

  /**
   * @param limit Attempts per window.
   * @param clock Milliseconds clock.
   * @param sweepEveryMs Time between sweeps of the full buckets.
   */
  constructor(limit: number, clock: Clock = Date.now, sweepEveryMs = SWEEP_EVERY_MS) {
    this.#limit = limit;
    this.#clock = clock;
    this.#origin = clock();
    this.#sweepEveryMs = sweepEveryMs;
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
    this.#fullAt.set(key, Math.max(fullAt ?? now, now) + JOIN_WINDOW_MS);
    this.#sweeper ??= this.#startSweeping();
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

  /** Stops sweeping (the server is shutting down); an attempt starts it again. */
  close(): void {
    clearInterval(this.#sweeper);
    this.#sweeper = undefined;
  }

  #startSweeping(): ReturnType<typeof setInterval> {
    const sweeper = setInterval(() => this.#sweep(), this.#sweepEveryMs);
    Deno.unrefTimer(sweeper);
    return sweeper;
  }

  #sweep(): void {
    const now = this.#now();
    for (const [key, fullAt] of this.#fullAt) if (fullAt <= now) this.#fullAt.delete(key);
    if (this.#fullAt.size === 0) this.close();
  }
}
