/**
 * The process's open-file limit, and how many connections it leaves room for: every
 * connection holds a descriptor, and the store, logs and listening sockets need some too.
 *
 * @module
 */

/** Used when the limit cannot be read (not Linux) or is unlimited. */
const FALLBACK_MAX_CONNECTIONS = 10_000;
/** Descriptors kept for the store, logs, listeners and refused connections at most. */
const RESERVE = 256;

/**
 * The soft open-file limit of this process, from `/proc/self/limits`.
 *
 * @param limits The file's text (read from `/proc/self/limits` when omitted).
 * @returns The limit, or `null` when it is unlimited or unreadable.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { readOpenFileLimit } from "./file_limit.ts";
 * const text = "Limit  Soft Limit  Hard Limit  Units\nMax open files  1024  4096  files\n";
 * assert.ok(readOpenFileLimit(text) === 1024);
 * ```
 */
export function readOpenFileLimit(limits?: string): number | null {
  let text = limits;
  if (text === undefined) {
    try {
      text = Deno.readTextFileSync("/proc/self/limits");
    } catch {
      return null;
    }
  }
  const match = /^Max open files\s+(\S+)/m.exec(text);
  if (!match || !/^\d+$/.test(match[1])) return null;
  return Number(match[1]);
}

/**
 * The default `ROOMD_MAX_CONNECTIONS` for an open-file limit: the limit less a reserve of 256
 * descriptors (a quarter of the limit when that is smaller), and at least 1.
 *
 * @param limit The soft open-file limit (`null`: unknown or unlimited).
 * @returns The number of connections to allow.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { maxConnectionsForFileLimit } from "./file_limit.ts";
 * assert.ok(maxConnectionsForFileLimit(20_000) === 19_744);
 * assert.ok(maxConnectionsForFileLimit(128) === 96);
 * assert.ok(maxConnectionsForFileLimit(null) === 10_000);
 * ```
 */
export function maxConnectionsForFileLimit(limit: number | null): number {
  if (limit === null) return FALLBACK_MAX_CONNECTIONS;
  return Math.max(1, limit - Math.min(RESERVE, Math.floor(limit / 4)));
}
