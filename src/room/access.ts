/**
 * Who may enter a room, decided from its record alone.
 *
 * @module
 */
import type { Principal } from "../auth/principal.ts";
import type { RoomRecord } from "../store/types.ts";

/**
 * Whether a user may be in a room: public rooms admit anyone; private rooms admit their
 * members, their creator and admins.
 *
 * @param room The room.
 * @param principal The user.
 * @returns `true` when the user may join (or stay).
 */
export function mayEnter(room: RoomRecord, principal: Principal): boolean {
  return !room.is_private || principal.admin || room.created_by === principal.id ||
    room.members.includes(principal.id);
}

/**
 * Whether a user may manage a room (change or delete it): admins and the creator.
 *
 * @param room The room.
 * @param principal The user.
 * @returns `true` when allowed.
 */
export function mayManage(room: RoomRecord, principal: Principal): boolean {
  return principal.admin || (room.created_by !== null && room.created_by === principal.id);
}
