/**
 * Whether a room can take one more connection of a user.
 *
 * @module
 */
import type { Principal } from "../auth/principal.ts";
import type { RoomRecord } from "../store/types.ts";
import { mayEnter } from "./access.ts";

/** Why a join was refused. */
export interface Refusal {
  /** HTTP status. */
  status: 403 | 409;
  /** Error code. */
  code: "forbidden" | "room_full";
  /** Message for people. */
  message: string;
}

/**
 * Checks privacy and capacity.
 *
 * @param room The room.
 * @param principal The user.
 * @param taken Connections open or admitted now.
 * @returns The refusal, or `null` when the user may join.
 *
 * @example A full room
 * ```ts
 * import assert from "assert";
 * import { refuseJoin } from "./admission.ts";
 * import { newRoomRecord } from "./new_room.ts";
 * const room = newRoomRecord("r", "api", null, 1);
 * const user = { id: "u", name: "u", rooms: null, admin: false, expiresAt: 0 };
 * assert.equal(refuseJoin(room, user, 1)?.code, "room_full");
 * ```
 */
export function refuseJoin(room: RoomRecord, principal: Principal, taken: number): Refusal | null {
  if (!mayEnter(room, principal)) {
    return {
      status: 403,
      code: "forbidden",
      message: `Cannot join room "${room.id}": room is private`,
    };
  }
  if (room.max_clients > 0 && taken >= room.max_clients) {
    return {
      status: 409,
      code: "room_full",
      message:
        `Cannot join room "${room.id}": room is full (${taken} of ${room.max_clients} connections)`,
    };
  }
  return null;
}
