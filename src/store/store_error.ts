/**
 * The error every storage engine raises.
 *
 * @module
 */

/**
 * Raised when a storage operation fails: the database cannot be opened, a write is rejected,
 * the store is closed or was pulled away. `message` is one line fit for a terminal or a log
 * (action, then state); the underlying error, if any, is kept as `cause`.
 *
 * @example Reporting a store that cannot be opened
 * ```ts
 * import assert from "assert";
 * import { StoreError } from "./store_error.ts";
 *
 * const err = StoreError.from("Cannot open database ./data/roomd.db", new Error("disk I/O\nerror"));
 * assert.ok(err.message === "Cannot open database ./data/roomd.db: disk I/O error");
 * ```
 */
export class StoreError extends Error {
  override name = "StoreError";

  /**
   * Builds a one-line error from an action and the error that made it fail.
   *
   * @param action What was being done, e.g. `Cannot open database ./data/roomd.db`.
   * @param cause The underlying error (any thrown value); kept as `cause`.
   * @returns A `StoreError` whose message is `<action>: <reason on one line>`.
   */
  static from(action: string, cause: unknown): StoreError {
    return new StoreError(`${action}: ${oneLine(cause)}`, { cause });
  }
}

/** The reason carried by a thrown value, collapsed onto one line. */
function oneLine(cause: unknown): string {
  const text = cause instanceof Error ? cause.message : String(cause);
  return text.replace(/\s*\n\s*/g, " ").trim() || "unknown error";
}
