/**
 * A room actor's links to the engines: its broker subscription and its watches of room
 * changes and presence diffs made on other nodes. Made when the actor starts, undone when it
 * stops.
 *
 * @module
 */
import type { BrokerHandler } from "../broker/broker.ts";
import type { RoomChangeListener } from "../control/room_control.ts";
import type { PresenceListener } from "../presence/presence.ts";
import type { RoomContext } from "./room_context.ts";

/** What the actor listens with. */
export interface RoomListeners {
  /** Deliveries of the room's messages. */
  subscription: BrokerHandler;
  /** Changes of the room's record made on other nodes. */
  onChange: RoomChangeListener;
  /** Joins and leaves made on other nodes. */
  onPresence: PresenceListener;
}

/**
 * Subscribes the room and watches its changes and presence; rejects (with a `StoreError` for
 * a shared engine that is away) when any of them cannot be made.
 *
 * @param ctx The engines.
 * @param roomId Room id.
 * @param listeners The actor's listeners.
 */
export async function linkRoom(
  ctx: RoomContext,
  roomId: string,
  listeners: RoomListeners,
): Promise<void> {
  await ctx.broker.subscribe(roomId, listeners.subscription);
  await ctx.control.watch(roomId, listeners.onChange);
  await ctx.presence.watch(roomId, listeners.onPresence);
}

/**
 * Undoes {@linkcode linkRoom} without waiting; a failure (Redis away) is logged only, since
 * a shared engine drops a stopped node's subscriptions when it reconnects anyway.
 *
 * @param ctx The engines.
 * @param roomId Room id.
 * @param listeners The actor's listeners.
 */
export function unlinkRoom(ctx: RoomContext, roomId: string, listeners: RoomListeners): void {
  const failed = (error: unknown) =>
    ctx.log.debug("Cannot unlink room {room}: {error}", { room: roomId, error: String(error) });
  ctx.broker.unsubscribe(roomId, listeners.subscription).catch(failed);
  ctx.control.unwatch(roomId, listeners.onChange).catch(failed);
  ctx.presence.unwatch(roomId, listeners.onPresence).catch(failed);
}
