/**
 * Loss member by member: each member of a room is owed every message its room's other
 * publishers sent in the window, so a total that adds up can still hide one member's loss
 * behind another's duplicates.
 *
 * @module
 */

/** How many members got other than what they were owed. */
export interface MemberCheck {
  /** Members that received fewer window messages than their room's other publishers sent. */
  short: number;
  /** Members that received more (duplicates). */
  over: number;
}

/**
 * Compares what each member received with what it was owed. Members are laid out room by room,
 * `clientsPerRoom` each, publishers first; publishers room by room, `publishersPerRoom` each.
 *
 * @param received Window deliveries per member.
 * @param sentBy Window messages sent per publisher.
 * @param clientsPerRoom Members per room, publishers included.
 * @param publishersPerRoom Publishers per room.
 * @returns The members short and over.
 *
 * @example Two rooms of three, one publisher each (sent 5 and 4): room 1's last member got 3
 * ```ts
 * import assert from "assert";
 * import { checkMembers } from "./_members.ts";
 * assert.deepEqual(checkMembers([0, 5, 5, 0, 4, 3], [5, 4], 3, 1), { short: 1, over: 0 });
 * ```
 */
export function checkMembers(
  received: ArrayLike<number>,
  sentBy: ArrayLike<number>,
  clientsPerRoom: number,
  publishersPerRoom: number,
): MemberCheck {
  const check: MemberCheck = { short: 0, over: 0 };
  const rooms = Math.floor(received.length / clientsPerRoom);
  for (let r = 0; r < rooms; r++) {
    let roomSent = 0;
    for (let p = 0; p < publishersPerRoom; p++) roomSent += sentBy[r * publishersPerRoom + p];
    for (let c = 0; c < clientsPerRoom; c++) {
      const own = c < publishersPerRoom ? sentBy[r * publishersPerRoom + c] : 0;
      const got = received[r * clientsPerRoom + c];
      if (got < roomSent - own) check.short++;
      else if (got > roomSent - own) check.over++;
    }
  }
  return check;
}
