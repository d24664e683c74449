/**
 * A room's admin job: creating, changing and deleting the room through the HTTP API, changes
 * another node made (through the Room control seam), the members API and expiry. Tasks of
 * the room actor.
 *
 * @module
 */
import type { RoomChange } from "../control/room_control.ts";
import { isRoomExpired, type RoomPatch, type RoomRecord } from "../store/types.ts";
import type { MemberDetail, MemberPage } from "../presence/presence.ts";
import { createOrAdopt } from "./room_admission.ts";
import type { RoomSnapshot, RoomState } from "./room_state.ts";

/** A page of the members API, or why there is none. */
export type MemberDetailsResult = MemberPage<MemberDetail> | "no_room" | "bad_cursor";

/**
 * Creates the room from a complete record, unless it exists.
 *
 * @param state The room.
 * @param record The new room.
 * @returns Its snapshot, or `null` when the id is taken.
 */
export async function create(state: RoomState, record: RoomRecord): Promise<RoomSnapshot | null> {
  if (state.record) return null;
  if (!(await createOrAdopt(state, record))) return null;
  state.lifecycle.scheduleStop(state.ctx.config.roomGraceMs);
  return state.snapshot();
}

/**
 * Changes the room; users who may no longer be in it are closed with 4403, here and (through
 * the control seam) on every other node.
 *
 * @param state The room.
 * @param patch Fields to change.
 * @returns The updated snapshot, or `null` when the room does not exist.
 */
export async function update(state: RoomState, patch: RoomPatch): Promise<RoomSnapshot | null> {
  if (!state.record) return null;
  const updated = await state.ctx.store.updateRoom(state.id, patch);
  if (!updated) return state.forget();
  await state.apply(updated);
  await state.ctx.control.announce(state.id, updated);
  return state.snapshot();
}

/**
 * Applies a change another node made to the room's record.
 *
 * @param state The room.
 * @param change The new record, or `null` when the room was deleted.
 */
export async function changed(state: RoomState, change: RoomChange): Promise<void> {
  if (!state.record) return;
  if (change !== null) return state.apply(change);
  await state.closeDeleted();
  state.forget();
}

/**
 * Deletes the room and its history, closing its connections with 4403 on every node.
 *
 * @param state The room.
 * @returns `false` when the room did not exist.
 */
export async function remove(state: RoomState): Promise<boolean> {
  if (!state.record) return false;
  // Deleted first: a store that fails leaves the room and its connections as they were.
  await destroy(state);
  await state.closeDeleted();
  state.lifecycle.scheduleStop(0);
  await state.ctx.control.announce(state.id, null);
  return true;
}

/**
 * Deletes the room if it is empty and due for cleanup at `now`.
 *
 * @param state The room.
 * @param now Current time.
 * @param emptyRoomTtlS How long `auto` rooms without `ttl_s` may stay empty.
 * @returns Whether the room was deleted.
 */
export async function expireIfDue(
  state: RoomState,
  now: Date,
  emptyRoomTtlS: number,
): Promise<boolean> {
  const room = state.record;
  if (!room || !state.empty || !isRoomExpired(room, now, emptyRoomTtlS)) return false;
  // Empty here is not empty everywhere: another node may host its members.
  if ((await state.ctx.presence.count(state.id)).connections > 0) return false;
  await destroy(state);
  await state.ctx.control.announce(state.id, null);
  return true;
}

/**
 * A page of who is present, for the members API.
 *
 * @param state The room.
 * @param cursor From a previous page.
 * @param limit Most members on the page.
 * @returns The page, `no_room` when the room does not exist, `bad_cursor` for a cursor
 * that is not valid here.
 */
export async function memberDetails(
  state: RoomState,
  cursor: string | undefined,
  limit: number,
): Promise<MemberDetailsResult> {
  if (!state.record) return "no_room";
  return (await state.ctx.presence.members(state.id, cursor, limit)) ?? "bad_cursor";
}

/** Settles the room's publishes, then deletes the room and its history and forgets it. */
async function destroy(state: RoomState): Promise<void> {
  await state.ctx.broker.forget(state.id);
  await state.ctx.store.deleteRoom(state.id);
  state.forget();
}
