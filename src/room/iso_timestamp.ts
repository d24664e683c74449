/**
 * Fast ISO 8601 timestamps for envelopes: `Date.prototype.toISOString` costs about a
 * microsecond, once per message; this formats from a per-second prefix and reuses the last
 * string within the same millisecond.
 *
 * @module
 */

let lastMs = Number.NaN;
let lastText = "";
let prefixSecond = Number.NaN;
let prefix = "";

/**
 * The ISO 8601 form of a time, the same as `new Date(ms).toISOString()`.
 *
 * @param ms Milliseconds since the epoch (an integer, as from `Date.now()`).
 * @returns For example `"2024-05-01T12:00:00.042Z"`.
 *
 * @example Same text as toISOString
 * ```ts
 * import assert from "assert";
 * import { isoTimestamp } from "./iso_timestamp.ts";
 * const ms = Date.UTC(2024, 4, 1, 12, 0, 0, 42);
 * assert.equal(isoTimestamp(ms), new Date(ms).toISOString());
 * ```
 */
export function isoTimestamp(ms: number): string {
  if (ms === lastMs) return lastText;
  const millis = ((ms % 1000) + 1000) % 1000;
  const second = ms - millis;
  if (second !== prefixSecond) {
    prefixSecond = second;
    prefix = new Date(second).toISOString().slice(0, -4);
  }
  lastMs = ms;
  lastText = `${prefix}${millis < 10 ? "00" : millis < 100 ? "0" : ""}${millis}Z`;
  return lastText;
}
