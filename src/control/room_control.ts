/**
 * The Room control seam: a room record changed through the HTTP API (private flag, members,
 * limits, delete) reaches the room's actor on every node that hosts it, so that revocation
 * (4403) and new rate limits apply wherever a connection is. The node that made the change
 * applies it itself, at once; the engine tells the others.
 *
 * @module
 */
import type { RoomRecord } from "../store/types.ts";

/** A change to a room's record: the new record, or `null` when the room was deleted. */
export type RoomChange = RoomRecord | null;

/** Told of changes made on other nodes; it must not throw. */
export type RoomChangeListener = (change: RoomChange) => void;

/** Carries room changes between nodes. One instance per node. */
export interface RoomControl {
  /** This node's id. */
  readonly nodeId: string;
  /**
   * Starts telling `listener` of the room's changes made on other nodes (an actor starting).
   *
   * @param roomId Room id.
   * @param listener The actor's listener.
   */
  watch(roomId: string, listener: RoomChangeListener): Promise<void>;
  /**
   * Stops telling `listener` (the actor stopped).
   *
   * @param roomId Room id.
   * @param listener The listener given to {@linkcode RoomControl.watch}.
   */
  unwatch(roomId: string, listener: RoomChangeListener): Promise<void>;
  /**
   * Tells every other node that hosts the room of a change already stored.
   *
   * @param roomId Room id.
   * @param change The new record, or `null` for a deleted room.
   */
  announce(roomId: string, change: RoomChange): Promise<void>;
}
