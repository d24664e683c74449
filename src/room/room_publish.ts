/**
 * A room's publish job: a client's or the server's message into the {@linkcode Publisher},
 * and deliveries that come back through the room's subscription. Tasks of the room actor.
 *
 * @module
 */
import type { DedupeKey } from "../store/types.ts";
import type { Connection } from "../ws/connection.ts";
import type { PublishOutcome, PublishReceipt } from "./publisher.ts";
import type { RoomState } from "./room_state.ts";

/**
 * Publishes a client's message; persisted ones are delivered and acked once stored, or
 * answered with `error` `unavailable` when the write fails.
 *
 * @param state The room.
 * @param from Sender.
 * @param type Message type.
 * @param data Validated payload.
 * @param persist Whether it gets an id and enters history.
 * @param ref The client's reference.
 * @param cid The client's message id: a persisted repeat publishes nothing.
 */
export function publishFromClient(
  state: RoomState,
  from: Connection,
  type: string,
  data: unknown,
  persist: boolean,
  ref: string | undefined,
  cid?: string,
): void {
  if (state.members.get(from.id) === undefined) return;
  const { publisher } = state;
  const userId = from.principal.id;
  const dedupe = persist && cid !== undefined ? publisher.clientKey(userId, cid) : undefined;
  publisher.publish(type, userId, data, persist, from, dedupe, publisher.replyTo(from, ref));
}

/**
 * Publishes as the server to every connection.
 *
 * @param state The room.
 * @param type Message type.
 * @param data Payload.
 * @param persist Whether it gets an id and enters history.
 * @param dedupe Publish only once per key (an `Idempotency-Key`).
 * @returns The receipt, or `null` when the room does not exist.
 */
export function publishAsServer(
  state: RoomState,
  type: string,
  data: unknown,
  persist: boolean,
  dedupe?: DedupeKey,
): PublishReceipt | null {
  if (!state.record) return null;
  const { promise, resolve } = Promise.withResolvers<PublishOutcome>();
  state.publisher.publish(type, null, data, persist, null, dedupe, resolve);
  return { outcome: promise };
}

/**
 * The room's history started over under a new epoch (the broker's store lost it): ids continue
 * after `lastId`, the record carries the new epoch (for welcomes and resumes), and every member
 * is told with a `system` `epoch` event, so that clients reload history. The epoch the room
 * already has (its welcome told it) changes nothing.
 *
 * @param state The room.
 * @param epoch The new epoch.
 * @param lastId Ids continue after this one.
 */
export function epochChanged(state: RoomState, epoch: string, lastId: number): void {
  if (state.record === null || state.record.epoch === epoch) return;
  state.publisher.lastId = lastId;
  state.record = { ...state.record, epoch };
  const data = { event: "epoch", epoch, last_id: lastId };
  const frame = JSON.stringify(state.outbox.envelope("system", null, data));
  state.outbox.fanOut("system", frame, null);
  state.ctx.log.warn("Room {room} starts over under epoch {epoch}", { room: state.id, epoch });
}
