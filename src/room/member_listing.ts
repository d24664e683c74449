/**
 * What a room tells one connection about its members: the welcome, with the first page of
 * members, and the pages of `members` requests. Each listing is a read of the member list that
 * the room's presence must know of (see {@linkcode PresenceBatch}).
 *
 * @module
 */
import { encodeError, type SizedFrame } from "../protocol/codec.ts";
import type { ErrorData, MemberInfo } from "../protocol/envelope.ts";
import type { RoomRecord } from "../store/types.ts";
import type { Connection } from "../ws/connection.ts";
import type { MemberPage, Presence } from "../presence/presence.ts";
import type { Outbox } from "./outbox.ts";
import type { RoomPresence } from "./room_presence.ts";
import { encodeWelcome, welcomeData, type WelcomeEnvelope, welcomeHead } from "./welcome.ts";

/** Sends welcomes and member pages of one room. Owned by the room actor. */
export class MemberListing {
  readonly #roomId: string;
  readonly #engine: Presence;
  readonly #outbox: Outbox;
  readonly #presence: RoomPresence;
  readonly #welcomeMembers: number;
  /** The start of this room's welcomes, for the record it was made from. */
  #head: { record: RoomRecord; frame: SizedFrame } | null = null;

  /**
   * @param roomId Room id.
   * @param engine Who is in the room (every node).
   * @param outbox Sends the frames.
   * @param presence Told of every read.
   * @param welcomeMembers Most members a welcome lists.
   */
  constructor(
    roomId: string,
    engine: Presence,
    outbox: Outbox,
    presence: RoomPresence,
    welcomeMembers: number,
  ) {
    this.#roomId = roomId;
    this.#engine = engine;
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
  async sendWelcome(
    connection: Connection,
    room: RoomRecord,
    lastId: number,
    recovered: boolean | undefined,
  ): Promise<void> {
    const members = await this.#page(undefined, this.#welcomeMembers);
    const data = welcomeData(room, members!, lastId, recovered, connection.id);
    this.#presence.read(connection.principal.id);
    const welcome = this.#outbox.envelope("system", null, data) as WelcomeEnvelope;
    if (this.#head?.record !== room) this.#head = { record: room, frame: welcomeHead(welcome) };
    this.#outbox.sendTo(connection, "system", encodeWelcome(welcome, this.#head.frame));
  }

  /**
   * Answers a `members` request with a page, or an `error` when its cursor is not valid here.
   *
   * @param to The asking connection.
   * @param cursor From the welcome or a previous page.
   * @param limit Most members on the page.
   * @param ref The client's reference.
   */
  async sendPage(
    to: Connection,
    cursor: string | undefined,
    limit: number,
    ref?: string,
  ): Promise<void> {
    const page = await this.#page(cursor, limit);
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

  #page(cursor: string | undefined, limit: number): Promise<MemberPage<MemberInfo> | null> {
    return this.#engine.memberInfos(this.#roomId, cursor, limit);
  }
}
