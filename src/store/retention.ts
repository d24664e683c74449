/**
 * The count-based retention rule that every store engine applies when it appends messages.
 *
 * @module
 */

/** Retention applied by {@linkcode MessageStore.appendMessages}. */
export interface RetentionOptions {
  /**
   * Keep the newest this many messages per room (0 = no count limit). Like Redis's
   * `MAXLEN ~`, a room may hold some more before it is trimmed back (see
   * {@linkcode mustTrim}), so that a busy room pays for a trim once in a while, not on every
   * commit.
   */
  historySize: number;
}

/**
 * Whether a room holding `held` messages is trimmed back to its newest `historySize`: once it
 * holds more than a sixteenth over the size (so a `historySize` below 16 is kept exactly), and
 * never when `historySize` is 0 (no limit).
 *
 * @param held Messages the room holds.
 * @param historySize The retention size.
 * @returns Whether to trim now.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { mustTrim } from "./retention.ts";
 * assert.ok(!mustTrim(1062, 1000) && mustTrim(1063, 1000));
 * assert.ok(mustTrim(11, 10));
 * assert.ok(!mustTrim(5000, 0));
 * ```
 */
export function mustTrim(held: number, historySize: number): boolean {
  return historySize > 0 && held > historySize + Math.floor(historySize / 16);
}
