/**
 * What a room tells one connection about its members: the welcome, with the first page of
 * members, and the pages of `members` requests. Each listing is a read of the member list that
 * the room's presence must know of (see {@linkcode PresenceBatch}).
 *
 * @module
 */
import { encodeEnvelope, encodeError } from "../protocol/codec.ts";
import type { ErrorData } from "../protocol/envelope.ts";
import type { RoomRecord } from "../store/types.ts";
import type { Connection } from "../ws/connection.ts";
import type { Members } from "./members.ts";
import type { Outbox } from "./outbox.ts";
import type { RoomPresence } from "./room_presence.ts";
import { welcomeData } from "./welcome.ts";

/** Sends welcomes and member pages of one room. Owned by the room actor. */
export class MemberListing {
  readonly #members: Members;
  readonly #outbox: Outbox;
  readonly #presence: RoomPresence;
  readonly #welcomeMembers: number;

  /**
   * @param members The room's members.
   * @param outbox Sends the frames.
   * @param presence Told of every read.
   * @param welcomeMembers Most members a welcome lists.
   */
  constructor(members: Members, outbox: Outbox, presence: RoomPresence, welcomeMembers: number) {
    this.#members = members;
    this.#outbox = outbox;
    this.#presence = presence;
    this.#welcomeMembers = welcomeMembers;
  }

  /**
   * Sends a connection its welcome: the room, the first members, their count and a cursor.
   *
   * @param connection The new connection (already a member).
   * @param room The room's record.
   * @param lastId Newest message id.
   * @param recovered Resume outcome, if resuming.
   */
  sendWelcome(
    connection: Connection,
    room: RoomRecord,
    lastId: number,
    recovered: boolean | undefined,
  ): void {
    const members = this.#members.infos(undefined, this.#welcomeMembers)!;
    const data = welcomeData(room, members, lastId, recovered, connection.id);
    this.#presence.read(connection.principal.id);
    const welcome = this.#outbox.envelope("system", null, data);
    this.#outbox.sendTo(connection, "system", encodeEnvelope(welcome));
  }

  /**
   * Answers a `members` request with a page, or an `error` when its cursor is not valid here.
   *
   * @param to The asking connection.
   * @param cursor From the welcome or a previous page.
   * @param limit Most members on the page.
   * @param ref The client's reference.
   */
  sendPage(to: Connection, cursor: string | undefined, limit: number, ref?: string): void {
    const page = this.#members.infos(cursor, limit);
    if (page === null) {
      const error: ErrorData = {
        code: "invalid_message",
        message: "Cannot list members: the cursor is not one of this room's (start over)",
      };
      return this.#outbox.sendTo(to, "error", encodeError(error, ref));
    }
    this.#presence.read(to.principal.id);
    this.#outbox.sendTo(to, "members", JSON.stringify({ type: "members", ref, data: page }));
  }
}
