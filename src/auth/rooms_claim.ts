/**
 * The `rooms` claim: which rooms a principal may join.
 *
 * @module
 */
import type { Principal } from "./principal.ts";

/**
 * Tells whether a principal's `rooms` claim lets it join a room. A claim of `null` (no `rooms`
 * in the token) allows every room; otherwise an entry must equal the room id, or end in `*`
 * and be followed by the id's prefix (`team-1:*` matches `team-1:general`). A `*` anywhere but
 * at the end is an ordinary character.
 *
 * @param principal The verified user.
 * @param roomId The room being joined.
 * @returns Whether the join is allowed.
 *
 * @example Prefix patterns
 * ```ts
 * import assert from "assert";
 * import { mayJoinRoom } from "./rooms_claim.ts";
 * const user = { id: "7", name: "ann", rooms: ["lobby", "team-1:*"], admin: false, expiresAt: 0 };
 * assert.ok(mayJoinRoom(user, "team-1:general"));
 * assert.ok(!mayJoinRoom(user, "team-2:general"));
 * ```
 */
export function mayJoinRoom(principal: Principal, roomId: string): boolean {
  if (principal.rooms === null) return true;
  return principal.rooms.some((entry) =>
    entry.endsWith("*") ? roomId.startsWith(entry.slice(0, -1)) : entry === roomId
  );
}
