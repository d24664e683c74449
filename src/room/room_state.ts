/**
 * The inside of a room actor: its record, members, reservations, ids and outbox, and what
 * each task does to them. Only {@linkcode Room} (the actor's mailbox loop) calls it, one task
 * at a time, so none of this state is ever shared or raced.
 *
 * @module
 */
import type { Principal } from "../auth/principal.ts";
import {
  type DedupeKey,
  type HistoryPage,
  type HistoryQuery,
  isRoomExpired,
  type RoomPatch,
  type RoomRecord,
} from "../store/types.ts";
import { CloseCode } from "../ws/close_codes.ts";
import type { Connection } from "../ws/connection.ts";
import type { RateSettings } from "../limits/message_limiter.ts";
import { mayEnter } from "./access.ts";
import { type Refusal, refuseJoin } from "./admission.ts";
import { type MemberDetail, type MemberPage, Members } from "./members.ts";
import { newRoomRecord } from "./new_room.ts";
import { Outbox } from "./outbox.ts";
import { Publisher, type PublishOutcome, type PublishReceipt } from "./publisher.ts";
import { HeldSocket } from "./held_socket.ts";
import { cutOff, HOLD_FACTOR, HOLD_FLOOR, resumeConnection } from "./resume.ts";
import type { RoomContext } from "./room_context.ts";
import { MemberListing } from "./member_listing.ts";
import { RoomPresence } from "./room_presence.ts";
import { presenceTickMs } from "./presence_tick.ts";

/** A reservation whose socket never opened is dropped after this long. */
const RESERVATION_TTL_MS = 30_000;

/** The answer to an admission request. */
export type AdmitResult = { ok: true; rate: RateSettings } | ({ ok: false } & Refusal);

/** What a reconnecting client asks to resume from. */
export interface ResumeRequest {
  /** The last id the client saw. */
  since: number;
  /** The epoch the client saw it in. */
  epoch?: string;
}

/** A room's record with its live figures. */
export interface RoomSnapshot {
  /** The stored record. */
  room: RoomRecord;
  /** Distinct users present. */
  members: number;
  /** Open connections. */
  connections: number;
}

/** How the state tells its actor when it may stop. */
export interface RoomLifecycle {
  /** The room is empty: stop after `delayMs` unless something arrives. */
  scheduleStop(delayMs: number): void;
  /** The room is in use again. */
  cancelStop(): void;
  /** Run {@linkcode RoomState.flushPresence} as a task in `delayMs`, unless already due. */
  schedulePresence(delayMs: number): void;
  /** Runs a task in the actor's mailbox; `false` when the actor has stopped. */
  post(task: () => void): boolean;
}

/** A page of the members API, or why there is none. */
export type MemberDetailsResult = MemberPage<MemberDetail> | "no_room" | "bad_cursor";

/**
 * The state of one room and the handlers of its tasks.
 */
export class RoomState {
  /** Room id. */
  readonly id: string;
  /** Open connections and members. */
  readonly members = new Members();
  /** Welcomes and `members` pages. */
  readonly listing: MemberListing;
  readonly #ctx: RoomContext;
  readonly #lifecycle: RoomLifecycle;
  readonly #outbox: Outbox;
  readonly #presence: RoomPresence;
  readonly #reservations = new Map<string, number>();
  readonly #publisher: Publisher;
  #record: RoomRecord | null = null;

  /**
   * @param id Room id.
   * @param ctx Shared dependencies.
   * @param lifecycle The actor's stop timer.
   */
  constructor(id: string, ctx: RoomContext, lifecycle: RoomLifecycle) {
    this.id = id;
    this.#ctx = ctx;
    this.#lifecycle = lifecycle;
    this.#outbox = new Outbox(id, this.members, ctx.metrics);
    this.#publisher = new Publisher(id, ctx, this.#outbox, {
      post: lifecycle.post,
      settled: () => this.#lifecycle.scheduleStop(this.#stopDelay()),
    });
    this.#presence = new RoomPresence(
      this.members,
      this.#outbox,
      () =>
        lifecycle.schedulePresence(
          presenceTickMs(
            ctx.config.presenceTickMs,
            this.members.connections.size,
            this.#record?.presence ?? "off",
          ),
        ),
    );
    this.listing = new MemberListing(
      this.members,
      this.#outbox,
      this.#presence,
      ctx.config.welcomeMembers,
    );
  }

  /** Whether no connection is open or admitted. */
  get empty(): boolean {
    return this.members.connections.size === 0 && this.#reservations.size === 0;
  }

  /** Whether the actor may stop: empty, and no write waits for its answer. */
  get idle(): boolean {
    return this.empty && this.#publisher.pending === 0;
  }

  #stopDelay(): number {
    return this.#record ? this.#ctx.config.roomGraceMs : 0;
  }

  /** Loads the room from the store (it may not exist yet). */
  async load(): Promise<void> {
    this.#record = await this.#ctx.store.getRoom(this.id);
    if (!this.#record) return this.#lifecycle.scheduleStop(0);
    await this.#publisher.load();
    this.#lifecycle.scheduleStop(this.#ctx.config.roomGraceMs);
  }

  /**
   * Admits a user, creating the room on first join; reserves a slot.
   *
   * @param principal The user.
   * @param connectionId The id the connection will have.
   * @returns Admission or refusal.
   */
  async admit(principal: Principal, connectionId: string): Promise<AdmitResult> {
    if (!this.#record) {
      const record = newRoomRecord(
        this.id,
        "auto",
        principal.id,
        this.#ctx.config.defaultMaxClients,
      );
      await this.#createOrAdopt(record);
    }
    this.#dropStaleReservations();
    const taken = this.members.connections.size + this.#reservations.size;
    const refusal = refuseJoin(this.#record!, principal, taken);
    if (refusal) return { ok: false, ...refusal };
    this.#reservations.set(connectionId, Date.now());
    this.#lifecycle.cancelStop();
    return { ok: true, rate: this.#rate() };
  }

  /**
   * Adds an open connection: welcome, missed messages; its presence goes out with the tick.
   *
   * @param connection The admitted connection.
   * @param resume What to resume from.
   */
  async attach(connection: Connection, resume?: ResumeRequest): Promise<void> {
    if (!this.#reservations.delete(connection.id) || !this.#record || connection.closing) {
      if (!connection.closing) connection.close(CloseCode.removed, "admission expired");
      return this.#afterDeparture();
    }
    const room = this.#record;
    if (this.members.add(connection)) this.#presence.joined(connection);
    // A resuming connection's broadcasts are held from the moment it is a member.
    const held = resume ? this.#hold(connection) : null;
    if (room.empty_since !== null) {
      this.#record = await this.#patchQuietly({ empty_since: null }) ?? room;
    }
    const recovered = resume ? await this.#canRecover(resume) : undefined;
    this.listing.sendWelcome(connection, room, this.#publisher.lastId, recovered);
    if (resume && held) this.#resume(connection, recovered ? resume.since : 0, held);
  }

  /** Ends the presence tick: one frame of its joins and leaves to every member. */
  flushPresence(): void {
    // A deleted room still ends its tick, so that the next one is scheduled again.
    this.#presence.flush(this.#record?.presence ?? "off");
  }

  /** Holds the room's broadcasts to `connection` until its replay is done. */
  #hold(connection: Connection): HeldSocket {
    const { config, metrics } = this.#ctx;
    const limit = Math.max(HOLD_FACTOR * config.maxQueueBytes, HOLD_FLOOR);
    const held = new HeldSocket(limit, () => cutOff(connection, metrics));
    this.members.useSocket(connection, held);
    return held;
  }

  /** Replays outside the actor, then releases the held frames and the connection. */
  #resume(connection: Connection, since: number, held: HeldSocket): void {
    const { metrics } = this.#ctx;
    // Up to the last id delivered: later ones are on their way through the mailbox.
    void resumeConnection(connection, since, this.#publisher.lastId, held, {
      ctx: this.#ctx,
      roomId: this.id,
      metrics,
      log: this.#ctx.log,
      sendTo: (type, frame) => this.#outbox.sendTo(connection, type, frame),
      release: () => this.members.useSocket(connection, connection.socket),
    });
  }

  async #canRecover(resume: ResumeRequest): Promise<boolean> {
    if (resume.epoch !== undefined && resume.epoch !== this.#record!.epoch) return false;
    const { trimmed } = await this.#ctx.store.getSequence(this.id);
    return resume.since >= trimmed;
  }

  /**
   * Removes a connection, or releases its reservation.
   *
   * @param connectionId The connection's id.
   */
  async leave(connectionId: string): Promise<void> {
    if (this.#reservations.delete(connectionId)) return this.#afterDeparture();
    const connection = this.members.connections.get(connectionId);
    if (connection) this.#remove(connection, null, "");
    await this.#afterDeparture();
  }

  #remove(connection: Connection, code: number | null, reason: string): void {
    const removed = this.members.remove(connection.id);
    if (code !== null) connection.close(code, reason);
    if (removed?.last) this.#presence.left(connection);
  }

  async #afterDeparture(): Promise<void> {
    if (!this.empty) return;
    if (this.#record && this.#record.empty_since === null) {
      const updated = await this.#patchQuietly({ empty_since: new Date().toISOString() });
      if (updated !== undefined) this.#record = updated;
    }
    this.#lifecycle.scheduleStop(this.#stopDelay());
  }

  /**
   * Records that the room is occupied or empty. A store that fails (a full disk) must not stop
   * the room: the record is left as it is, and the failure logged.
   */
  async #patchQuietly(patch: RoomPatch): Promise<RoomRecord | null | undefined> {
    try {
      return await this.#ctx.store.updateRoom(this.id, patch);
    } catch (error) {
      this.#ctx.log.warn("Cannot update room {room}: {error}", {
        room: this.id,
        error: String(error),
      });
      return undefined;
    }
  }

  /**
   * Publishes a client's message; persisted ones are delivered and acked once stored, or
   * answered with `error` `unavailable` when the write fails.
   *
   * @param from Sender.
   * @param type Message type.
   * @param data Validated payload.
   * @param persist Whether it gets an id and enters history.
   * @param ref The client's reference.
   * @param cid The client's message id: a persisted repeat publishes nothing.
   */
  publishFromClient(
    from: Connection,
    type: string,
    data: unknown,
    persist: boolean,
    ref: string | undefined,
    cid?: string,
  ): void {
    if (!this.members.connections.has(from.id)) return;
    const userId = from.principal.id;
    const dedupe = persist && cid !== undefined
      ? this.#publisher.clientKey(userId, cid)
      : undefined;
    this.#publisher.publish(
      type,
      userId,
      data,
      persist,
      from,
      dedupe,
      this.#publisher.replyTo(from, ref),
    );
  }

  /**
   * Reads history after committing what the writer holds.
   *
   * @param query Which messages.
   * @returns The page.
   */
  async readHistory(query: HistoryQuery): Promise<HistoryPage> {
    await this.#ctx.writer.flush();
    return this.#ctx.store.readMessages(this.id, query);
  }

  /**
   * Answers a client's `history` request.
   *
   * @param to The asking connection.
   * @param query Which messages.
   * @param ref The client's reference.
   */
  async sendHistory(to: Connection, query: HistoryQuery, ref?: string): Promise<void> {
    const page = await this.readHistory(query);
    this.#outbox.sendTo(to, "history", JSON.stringify({ type: "history", ref, data: page }));
  }

  /**
   * Publishes as the server to every connection.
   *
   * @param type Message type.
   * @param data Payload.
   * @param persist Whether it gets an id and enters history.
   * @param dedupe Publish only once per key (an `Idempotency-Key`).
   * @returns The receipt, or `null` when the room does not exist.
   */
  publishAsServer(
    type: string,
    data: unknown,
    persist: boolean,
    dedupe?: DedupeKey,
  ): PublishReceipt | null {
    if (!this.#record) return null;
    const { promise, resolve } = Promise.withResolvers<PublishOutcome>();
    this.#publisher.publish(type, null, data, persist, null, dedupe, resolve);
    return { outcome: promise };
  }

  /**
   * Creates the room from a complete record, unless it exists.
   *
   * @param record The new room.
   * @returns Its snapshot, or `null` when the id is taken.
   */
  async create(record: RoomRecord): Promise<RoomSnapshot | null> {
    if (this.#record) return null;
    if (!(await this.#createOrAdopt(record))) return null;
    this.#lifecycle.scheduleStop(this.#ctx.config.roomGraceMs);
    return this.snapshot();
  }

  /**
   * Stores `record` as the room, or takes the room already stored under its id; either way
   * loads the room's message ids.
   *
   * @returns Whether `record` was stored (`false`: the stored room was adopted).
   */
  async #createOrAdopt(record: RoomRecord): Promise<boolean> {
    const created = await this.#ctx.store.createRoom(record);
    const room = created ? record : await this.#ctx.store.getRoom(this.id);
    if (!room) throw new Error(`room "${this.id}" vanished while being created`);
    this.#record = room;
    await this.#publisher.load();
    return created;
  }

  /**
   * A page of who is present, for the members API.
   *
   * @param cursor From a previous page.
   * @param limit Most members on the page.
   * @returns The page, `no_room` when the room does not exist, `bad_cursor` for a cursor
   * that is not valid here.
   */
  memberDetails(cursor: string | undefined, limit: number): MemberDetailsResult {
    if (!this.#record) return "no_room";
    return this.members.details(cursor, limit) ?? "bad_cursor";
  }

  /**
   * Changes the room; users who may no longer be in it are closed with 4403.
   *
   * @param patch Fields to change.
   * @returns The updated snapshot, or `null` when the room does not exist.
   */
  async update(patch: RoomPatch): Promise<RoomSnapshot | null> {
    if (!this.#record) return null;
    const updated = await this.#ctx.store.updateRoom(this.id, patch);
    if (!updated) return this.#forget();
    this.#record = updated;
    const rate = this.#rate();
    for (const connection of [...this.members.connections.values()]) {
      if (mayEnter(updated, connection.principal)) connection.limiter.configure(rate);
      else this.#remove(connection, CloseCode.removed, "removed from room");
    }
    return this.snapshot();
  }

  /**
   * Deletes the room and its history, closing its connections with 4403.
   *
   * @returns `false` when the room did not exist.
   */
  async delete(): Promise<boolean> {
    if (!this.#record) return false;
    // Deleted first: a store that fails leaves the room and its connections as they were.
    await this.#destroy();
    for (const connection of [...this.members.connections.values()]) {
      this.#remove(connection, CloseCode.removed, "room deleted");
    }
    this.#reservations.clear();
    this.#lifecycle.scheduleStop(0);
    return true;
  }

  /**
   * Deletes the room if it is empty and due for cleanup at `now`.
   *
   * @param now Current time.
   * @param emptyRoomTtlS How long `auto` rooms without `ttl_s` may stay empty.
   * @returns Whether the room was deleted.
   */
  async expireIfDue(now: Date, emptyRoomTtlS: number): Promise<boolean> {
    const room = this.#record;
    if (!room || !this.empty || !isRoomExpired(room, now, emptyRoomTtlS)) return false;
    await this.#destroy();
    return true;
  }

  /** Commits what the writer holds, then deletes the room and its history and forgets it. */
  async #destroy(): Promise<void> {
    await this.#ctx.writer.flush();
    await this.#ctx.store.deleteRoom(this.id);
    this.#forget();
  }

  /**
   * Closes every connection with `code`.
   *
   * @param code Close code.
   * @param reason Reason sent to clients.
   */
  closeAll(code: number, reason: string): void {
    for (const connection of this.members.connections.values()) connection.close(code, reason);
  }

  #rate(): RateSettings {
    const { config } = this.#ctx;
    return {
      rate: this.#record?.msg_rate ?? config.msgRate,
      burst: this.#record?.msg_burst ?? config.msgBurst,
    };
  }

  /**
   * The record and live counts.
   *
   * @returns The snapshot, or `null` when the room does not exist.
   */
  snapshot(): RoomSnapshot | null {
    if (!this.#record) return null;
    return {
      room: this.#record,
      members: this.members.userCount,
      connections: this.members.connections.size,
    };
  }

  #dropStaleReservations(): void {
    // Oldest first (a Map keeps insertion order), so the walk ends at the first fresh one:
    // a join storm does not walk every pending reservation on each admission.
    const cutoff = Date.now() - RESERVATION_TTL_MS;
    for (const [id, at] of this.#reservations) {
      if (at >= cutoff) break;
      this.#reservations.delete(id);
    }
  }

  #forget(): null {
    this.#record = null;
    this.#lifecycle.scheduleStop(0);
    return null;
  }
}
