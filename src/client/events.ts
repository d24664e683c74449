/**
 * What a client tells the application.
 *
 * @module
 */
import type { RoomdError, StateReason } from "./errors.ts";
import type { PresenceData, RoomMessage, WelcomeData } from "./types.ts";

export type { StateReason };

/** The client's connection state. */
export type ConnectionState = "connecting" | "open" | "reconnecting" | "closed";

/** A `state` event. */
export interface StateChange {
  /** The new state. */
  state: ConnectionState;
  /** The state before. */
  previous: ConnectionState;
  /** Why, for `reconnecting` and `closed`. */
  reason?: StateReason;
  /** With `open` after a resume: whether every missed message follows (if not, reload history). */
  recovered?: boolean;
  /** With `reconnecting`: the wait before the next attempt, in ms. */
  delayMs?: number;
}

/** The events of a client; every other name is a room message type (custom types). */
export interface ClientEvents {
  /** The connection state changed. */
  state: StateChange;
  /** A welcome arrived (each connection's first frame). */
  welcome: WelcomeData;
  /** Every room message, of any type, once, in order. */
  message: RoomMessage;
  /** A chat message. */
  chat: RoomMessage<{ text: string }>;
  /** Joins and leaves. */
  presence: RoomMessage<PresenceData>;
  /** A message published by the server. */
  system: RoomMessage;
  /** An `error` frame that answers no pending send (the connection stays open). */
  error: RoomdError;
}
