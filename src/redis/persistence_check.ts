/**
 * Reads Redis's persistence settings and warns when neither AOF nor RDB snapshots are on,
 * naming what a Redis restart would then lose.
 *
 * @module
 */
import type { Logger } from "../log.ts";

/** Runs one Redis command. */
export type RunCommand = (args: string[]) => Promise<unknown>;

/** What a restart of a Redis that persists nothing loses, as the warning says it. */
export const LOST_ON_RESTART = "message history, message ids and epochs (resuming clients get " +
  "recovered: false), room records (a private room comes back as an open on-demand room), " +
  "idempotency keys and presence";

/**
 * Whether a `CONFIG GET` reply says the setting is on.
 *
 * @param reply `[name, value]` as Redis answers `CONFIG GET name`.
 * @param off The value that means off.
 * @returns `true` when the value is set and not `off`.
 */
function isOn(reply: unknown, off: string): boolean {
  return Array.isArray(reply) && typeof reply[1] === "string" && reply[1].trim() !== off;
}

/**
 * Checks persistence and logs a warning when Redis keeps nothing across a restart. A Redis
 * that refuses `CONFIG` (managed services often do) is logged at debug level only.
 *
 * @param run Runs a command on the Redis to check.
 * @param log Where to warn.
 * @returns `true` when AOF or RDB is on, `false` when neither, `null` when unknown.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { checkPersistence } from "./persistence_check.ts";
 * import { rootLogger } from "../log.ts";
 * const replies: Record<string, string[]> = { appendonly: ["appendonly", "no"], save: ["save", ""] };
 * const run = (args: string[]) => Promise.resolve(replies[args[2]]);
 * assert.equal(await checkPersistence(run, rootLogger().getChild("quiet")), false);
 * ```
 */
export async function checkPersistence(run: RunCommand, log: Logger): Promise<boolean | null> {
  try {
    const [aof, rdb] = await Promise.all([
      run(["CONFIG", "GET", "appendonly"]),
      run(["CONFIG", "GET", "save"]),
    ]);
    if (isOn(aof, "no") || isOn(rdb, "")) return true;
    log.warn(
      'Redis persists nothing (appendonly no, save ""): a Redis restart loses {lost}',
      { lost: LOST_ON_RESTART },
    );
    return false;
  } catch (error) {
    log.debug("Cannot read Redis persistence settings: {error}", { error: String(error) });
    return null;
  }
}
