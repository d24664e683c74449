/**
 * Who may enter a room, decided from its record alone.
 *
 * @module
 */
import type { Principal } from "../auth/principal.ts";
import type { RoomRecord } from "../store/types.ts";

/**
 * Whether a user owns a room: only a room made through the API has an owner, the user who
 * created it (who was allowed to). A room made on demand by a join (`origin: "auto"`) has none;
 * its `created_by` is information only, so joining a room first grants no rights over it.
 *
 * @param room The room.
 * @param principal The user.
 * @returns `true` when the user owns the room.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { newRoomRecord } from "./new_room.ts";
 * import { isOwner } from "./access.ts";
 * const ann = { id: "ann", name: "ann", admin: false, rooms: null, expiresAt: 0 };
 * assert.ok(isOwner(newRoomRecord("a", "api", "ann", 0), ann));
 * assert.ok(!isOwner(newRoomRecord("b", "auto", "ann", 0), ann));
 * ```
 */
export function isOwner(room: RoomRecord, principal: Principal): boolean {
  return room.origin === "api" && room.created_by !== null && room.created_by === principal.id;
}

/**
 * Whether a user may be in a room: public rooms admit anyone; private rooms admit their
 * members, their owner (see {@linkcode isOwner}) and admins.
 *
 * @param room The room.
 * @param principal The user.
 * @returns `true` when the user may join (or stay).
 */
export function mayEnter(room: RoomRecord, principal: Principal): boolean {
  return !room.is_private || principal.admin || isOwner(room, principal) ||
    room.members.includes(principal.id);
}

/**
 * Whether a user may manage a room (change or delete it): admins and its owner (see
 * {@linkcode isOwner}).
 *
 * @param room The room.
 * @param principal The user.
 * @returns `true` when allowed.
 */
export function mayManage(room: RoomRecord, principal: Principal): boolean {
  return principal.admin || isOwner(room, principal);
}
