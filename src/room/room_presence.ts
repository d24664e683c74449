/**
 * A room's presence announcements: joins and leaves go into the tick's
 * {@linkcode PresenceBatch}, and the first event of a tick asks the actor for one flush task
 * at the tick's end, which serializes one frame and sends it to every member.
 *
 * @module
 */
import { encodeEnvelope } from "../protocol/codec.ts";
import type { PresenceDiff } from "../presence/presence.ts";
import type { PresenceMode } from "../store/types.ts";
import type { Connection } from "../ws/connection.ts";
import type { Outbox } from "./outbox.ts";
import { PresenceBatch } from "./presence.ts";

/**
 * Presence of one room. Owned by the room actor, which runs {@linkcode RoomPresence.flush}
 * as a mailbox task when the timer it was asked for fires.
 */
export class RoomPresence {
  readonly #outbox: Outbox;
  readonly #schedule: () => void;
  readonly #batch = new PresenceBatch();
  /** The connection of the tick's latest join: a single join is not announced to it. */
  #joiner: Connection | null = null;

  /**
   * @param outbox Sends the frames.
   * @param schedule Asks the actor to run {@linkcode RoomPresence.flush} when the tick ends.
   */
  constructor(outbox: Outbox, schedule: () => void) {
    this.#outbox = outbox;
    this.#schedule = schedule;
  }

  /**
   * A user's first connection joined.
   *
   * @param connection That connection.
   */
  joined(connection: Connection): void {
    this.#arm();
    const { id, name } = connection.principal;
    this.#batch.join({ id, name });
    this.#joiner = connection;
  }

  /**
   * A user's last connection left.
   *
   * @param connection That connection.
   */
  left(connection: Connection): void {
    this.#arm();
    const { id, name } = connection.principal;
    this.#batch.leave({ id, name });
  }

  /**
   * A user's first connection joined, or last left, on another node.
   *
   * @param diff What happened.
   */
  remote(diff: PresenceDiff): void {
    this.#arm();
    if (diff.action === "join") this.#batch.join(diff.user);
    else this.#batch.leave(diff.user);
  }

  /**
   * A user was sent the room's members (welcome or `members` page).
   *
   * @param userId The reader.
   */
  read(userId: string): void {
    this.#batch.noteRead(userId);
  }

  /**
   * Ends the tick: one frame, serialized once, to every member.
   *
   * @param mode The room's presence mode.
   * @param count Exact number of members (every node).
   */
  flush(mode: PresenceMode, count: number): void {
    const frame = this.#batch.take(mode, count);
    const joiner = this.#joiner;
    this.#joiner = null;
    if (frame === null) return;
    const skip = joiner !== null && joiner.principal.id === frame.skipUser ? joiner : null;
    const envelope = this.#outbox.envelope("presence", frame.userId, frame.data);
    this.#outbox.fanOut("presence", encodeEnvelope(envelope), skip);
  }

  #arm(): void {
    if (!this.#batch.pending) this.#schedule();
  }
}
