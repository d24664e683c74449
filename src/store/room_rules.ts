/**
 * Rules on room records shared by every store engine: when a room expires, how a patch applies.
 *
 * @module
 */
import type { RoomPatch, RoomRecord } from "./room_record.ts";

/**
 * The cleanup rule of {@linkcode RoomStore.listExpiredRooms}, shared by every engine: a room
 * with `empty_since` set is expired when it has `ttl_s` and has been empty that long, or when it
 * is an `auto` room without `ttl_s` that has been empty for `emptyRoomTtlS`. API rooms without
 * `ttl_s`, and rooms that are occupied (`empty_since` null), never expire.
 *
 * @param room The room's `empty_since`, `ttl_s` and `origin`.
 * @param now The current time.
 * @param emptyRoomTtlS The server-wide TTL of empty `auto` rooms, in seconds.
 * @returns Whether the room is due for cleanup at `now`.
 *
 * @example An auto room empty for five minutes
 * ```ts
 * import assert from "assert";
 * import { isRoomExpired } from "./room_rules.ts";
 *
 * const room = { empty_since: "2025-01-01T00:00:00.000Z", ttl_s: null, origin: "auto" } as const;
 * assert.ok(isRoomExpired(room, new Date("2025-01-01T00:05:00.000Z"), 300));
 * assert.ok(!isRoomExpired(room, new Date("2025-01-01T00:04:59.999Z"), 300));
 * ```
 */
export function isRoomExpired(
  room: Pick<RoomRecord, "empty_since" | "ttl_s" | "origin">,
  now: Date,
  emptyRoomTtlS: number,
): boolean {
  if (room.empty_since === null) return false;
  const ttlS = room.ttl_s ?? (room.origin === "auto" ? emptyRoomTtlS : null);
  if (ttlS === null) return false;
  return now.getTime() - Date.parse(room.empty_since) >= ttlS * 1000;
}

const PATCHABLE: ReadonlySet<string> = new Set<keyof RoomPatch>([
  "name",
  "max_clients",
  "is_private",
  "members",
  "metadata",
  "ttl_s",
  "msg_rate",
  "msg_burst",
  "presence",
  "empty_since",
]);

/**
 * The patch rule of {@linkcode RoomStore.updateRoom}, shared by every engine: fields of the
 * patch that are `undefined`, or that {@linkcode RoomPatch} does not list, are ignored.
 *
 * @param room The stored room.
 * @param patch The changes.
 * @returns A new record; `room` is not modified.
 *
 * @example Renaming a room
 * ```ts
 * import assert from "assert";
 * import { applyRoomPatch } from "./room_rules.ts";
 * import type { RoomRecord } from "./room_record.ts";
 *
 * const room: RoomRecord = {
 *   id: "lobby", name: "lobby", created_at: "2025-01-01T00:00:00.000Z", created_by: null,
 *   max_clients: 0, is_private: false, members: [], metadata: {}, ttl_s: 60, origin: "api",
 *   epoch: "e1", msg_rate: null, msg_burst: null, presence: "full", empty_since: null,
 * };
 * const renamed = applyRoomPatch(room, { name: "Lobby", ttl_s: undefined });
 * assert.ok(renamed.name === "Lobby" && renamed.ttl_s === 60 && room.name === "lobby");
 * ```
 */
export function applyRoomPatch(room: RoomRecord, patch: RoomPatch): RoomRecord {
  const next: Record<string, unknown> = { ...room };
  for (const [key, value] of Object.entries(patch)) {
    if (value !== undefined && PATCHABLE.has(key)) next[key] = value;
  }
  return next as unknown as RoomRecord;
}
