/**
 * Reading coalesced presence frames in tests.
 *
 * @module
 */
import type { Msg } from "./client.ts";

/**
 * Whether a message is a presence frame that lists `userId` among its joins.
 *
 * @param m A server message.
 * @param userId The user.
 * @returns `true` for such a frame.
 */
export function announcesJoin(m: Msg, userId: string): boolean {
  return m.type === "presence" && listed(m.data.joins, userId);
}

/**
 * Whether a message is a presence frame that lists `userId` among its leaves.
 *
 * @param m A server message.
 * @param userId The user.
 * @returns `true` for such a frame.
 */
export function announcesLeave(m: Msg, userId: string): boolean {
  return m.type === "presence" && listed(m.data.leaves, userId);
}

function listed(users: unknown, userId: string): boolean {
  return Array.isArray(users) && users.some((u) => u.id === userId);
}
