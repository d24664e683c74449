/**
 * How long a room's presence tick lasts. A flush sends one frame to every member, so a room of n
 * members flushing every tick sends n frames a tick: during a join storm into a room of 10,000
 * (`count` presence) those frames took most of the time to connect everyone. Stretching the tick
 * in proportion to the room's size above {@linkcode MEMBERS_PER_TICK} bounds that to about
 * `MEMBERS_PER_TICK` frames per configured tick, whatever the size. `full` presence keeps the
 * configured tick: its cost is the bytes of every join told to every member, which a longer tick
 * does not reduce but gathers into larger frames (a 5,000-member storm peaked at 485 MB of
 * resident memory with the stretched tick, 293 MB without).
 *
 * @module
 */
import type { PresenceMode } from "../store/types.ts";

/** Connections a room may have before its presence tick grows. */
export const MEMBERS_PER_TICK = 1000;

/**
 * The tick of a room.
 *
 * @param tickMs `ROOMD_PRESENCE_TICK_MS`.
 * @param connections Open connections of the room.
 * @param mode The room's presence mode.
 * @returns `tickMs`; unless `mode` is `full`, times the room's size in thousands (rounded up)
 *   when it is larger than that.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { presenceTickMs } from "./presence_tick.ts";
 * assert.equal(presenceTickMs(50, 100, "count"), 50);
 * assert.equal(presenceTickMs(50, 10_000, "count"), 500);
 * assert.equal(presenceTickMs(50, 10_000, "full"), 50);
 * ```
 */
export function presenceTickMs(tickMs: number, connections: number, mode: PresenceMode): number {
  if (mode === "full") return tickMs;
  return tickMs * Math.max(1, Math.ceil(connections / MEMBERS_PER_TICK));
}
