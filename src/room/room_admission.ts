/**
 * A room's admission job: admitting a user (with a reserved slot, so concurrent joins never
 * exceed capacity), attaching the open connection, and its departure. Tasks of the room actor.
 *
 * @module
 */
import type { Principal } from "../auth/principal.ts";
import type { RoomRecord } from "../store/types.ts";
import { CloseCode } from "../ws/close_codes.ts";
import type { Connection } from "../ws/connection.ts";
import { type Refusal, refuseJoin } from "./admission.ts";
import { newRoomRecord } from "./new_room.ts";
import { canRecover, holdFrames, type ResumeRequest, startResume } from "./room_history.ts";
import type { RoomState } from "./room_state.ts";

/** A reservation whose socket never opened is dropped after this long. */
const RESERVATION_TTL_MS = 30_000;

/** The answer to an admission request. */
export type AdmitResult = { ok: true } | ({ ok: false } & Refusal);

/**
 * Admits a user, creating the room on first join; reserves a slot.
 *
 * @param state The room.
 * @param principal The user.
 * @param connectionId The id the connection will have.
 * @returns Admission or refusal.
 */
export async function admit(
  state: RoomState,
  principal: Principal,
  connectionId: string,
): Promise<AdmitResult> {
  if (!state.record) {
    const { config } = state.ctx;
    await createOrAdopt(
      state,
      newRoomRecord(state.id, "auto", principal.id, config.defaultMaxClients),
    );
  }
  dropStaleReservations(state);
  const room = state.record!;
  const refusal = refuseJoin(room, principal, 0);
  if (refusal) return { ok: false, ...refusal };
  // The check and the reservation are one step of the engine, whichever node asks.
  const reserved = await state.ctx.presence.reserve(state.id, connectionId, room.max_clients);
  if (!reserved.ok) return { ok: false, ...refuseJoin(room, principal, reserved.taken)! };
  state.reservations.set(connectionId, Date.now());
  state.lifecycle.cancelStop();
  return { ok: true };
}

/**
 * Adds an open connection: welcome, missed messages; its presence goes out with the tick.
 *
 * @param state The room.
 * @param connection The admitted connection.
 * @param resume What to resume from.
 */
export async function attach(
  state: RoomState,
  connection: Connection,
  resume?: ResumeRequest,
): Promise<void> {
  const { presence } = state.ctx;
  const { id, name } = connection.principal;
  const reserved = state.reservations.delete(connection.id);
  const joined = reserved && state.record && !connection.closing
    ? await presence.join(state.id, connection.id, { id, name }, Date.now())
    : null;
  if (joined === null) {
    if (reserved) await presence.release(state.id, connection.id);
    if (!connection.closing) connection.close(CloseCode.removed, "admission expired");
    return state.afterDeparture();
  }
  const room = state.record!;
  state.members.add(connection);
  if (joined.first) state.presence.joined(connection);
  // A resuming connection's broadcasts are held from the moment it is a member.
  const held = resume ? holdFrames(state, connection) : null;
  if (room.empty_since !== null) {
    state.record = await state.patchQuietly({ empty_since: null }) ?? room;
  }
  const recovered = resume ? await canRecover(state, resume) : undefined;
  await state.listing.sendWelcome(connection, room, state.publisher.lastId, recovered);
  if (resume && held) startResume(state, connection, recovered ? resume.since : 0, held);
}

/**
 * Removes a connection, or releases its reservation.
 *
 * @param state The room.
 * @param connectionId The connection's id.
 */
export async function leave(state: RoomState, connectionId: string): Promise<void> {
  if (state.reservations.delete(connectionId)) {
    await state.ctx.presence.release(state.id, connectionId);
    return state.afterDeparture();
  }
  const connection = state.members.get(connectionId);
  if (connection) await state.remove(connection, null, "");
  await state.afterDeparture();
}

/**
 * Stores `record` as the room, or takes the room already stored under its id; either way
 * loads the room's message ids.
 *
 * @param state The room.
 * @param record The new room.
 * @returns Whether `record` was stored (`false`: the stored room was adopted).
 */
export async function createOrAdopt(state: RoomState, record: RoomRecord): Promise<boolean> {
  const created = await state.ctx.store.createRoom(record);
  const room = created ? record : await state.ctx.store.getRoom(state.id);
  if (!room) throw new Error(`room "${state.id}" vanished while being created`);
  state.record = room;
  await state.publisher.load();
  return created;
}

function dropStaleReservations(state: RoomState): void {
  const cutoff = Date.now() - RESERVATION_TTL_MS;
  // Kept in the order they were made: the stale ones come first.
  for (const [id, at] of state.reservations) {
    if (at >= cutoff) break;
    state.reservations.delete(id);
  }
}
