/**
 * Reconnect delays: exponential back-off with full jitter.
 *
 * @module
 */

/** Back-off settings. */
export interface BackoffOptions {
  /** Delay ceiling of the first retry, in ms. Default 500. */
  baseMs?: number;
  /** Largest delay ceiling, in ms. Default 30 000. */
  capMs?: number;
}

/** Default first ceiling, in ms. */
export const DEFAULT_BACKOFF_BASE_MS = 500;
/** Default largest ceiling, in ms. */
export const DEFAULT_BACKOFF_CAP_MS = 30_000;

/**
 * The delay before retry number `attempt` (0 for the first): a uniformly random time between
 * 0 and `min(cap, base × 2^attempt)` ("full jitter"), so that clients cut off together do not
 * come back together.
 *
 * @param attempt Retries made since the last successful connection.
 * @param options Base and cap.
 * @param random A source of numbers in [0, 1), `Math.random` by default.
 * @returns The delay, in whole ms.
 *
 * @example The ceiling doubles until the cap
 * ```ts
 * import assert from "assert";
 * import { backoffDelay } from "./backoff.ts";
 * const top = () => 0.999999;
 * assert.equal(backoffDelay(0, { baseMs: 100, capMs: 1000 }, top), 99);
 * assert.equal(backoffDelay(3, { baseMs: 100, capMs: 1000 }, top), 799);
 * assert.equal(backoffDelay(9, { baseMs: 100, capMs: 1000 }, top), 999);
 * ```
 */
export function backoffDelay(
  attempt: number,
  options: BackoffOptions = {},
  random: () => number = Math.random,
): number {
  const base = options.baseMs ?? DEFAULT_BACKOFF_BASE_MS;
  const cap = options.capMs ?? DEFAULT_BACKOFF_CAP_MS;
  const ceiling = Math.min(cap, base * 2 ** Math.min(attempt, 52));
  return Math.floor(random() * ceiling);
}
