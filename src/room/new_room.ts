/**
 * Building the record of a new room.
 *
 * @module
 */
import type { RoomOrigin, RoomPatch, RoomRecord } from "../store/types.ts";

/** Settings a creator may choose; the rest get defaults. */
export type RoomSettings = Omit<RoomPatch, "empty_since">;

/**
 * A new room record with defaults filled in and a fresh epoch.
 *
 * @param id Room id.
 * @param origin `auto` (a WebSocket join) or `api`.
 * @param createdBy Creator's user id, or `null`.
 * @param defaultMaxClients Capacity when `settings` gives none.
 * @param settings Chosen settings.
 * @returns The record, not yet stored.
 */
export function newRoomRecord(
  id: string,
  origin: RoomOrigin,
  createdBy: string | null,
  defaultMaxClients: number,
  settings: RoomSettings = {},
): RoomRecord {
  return {
    id,
    name: settings.name ?? id,
    created_at: new Date().toISOString(),
    created_by: createdBy,
    max_clients: settings.max_clients ?? defaultMaxClients,
    is_private: settings.is_private ?? false,
    members: settings.members ?? [],
    metadata: settings.metadata ?? {},
    ttl_s: settings.ttl_s ?? null,
    origin,
    epoch: newEpoch(),
    msg_rate: settings.msg_rate ?? null,
    msg_burst: settings.msg_burst ?? null,
    presence: settings.presence ?? "full",
    empty_since: null,
  };
}

/**
 * A random epoch string (history generation marker).
 *
 * @returns 16 hex characters.
 */
export function newEpoch(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(8));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
