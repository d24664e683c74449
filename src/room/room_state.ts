/**
 * The inside of a room actor: its record, members, reservations, ids and outbox, and what
 * each task does to them. Only {@linkcode Room} (the actor's mailbox loop) calls it, one task
 * at a time, so none of this state is ever shared or raced.
 *
 * @module
 */
import type { Principal } from "../auth/principal.ts";
import { encodeAck, encodeEnvelope, encodeError } from "../protocol/codec.ts";
import type { ErrorData } from "../protocol/envelope.ts";
import {
  type HistoryPage,
  type HistoryQuery,
  isRoomExpired,
  type RoomPatch,
  type RoomRecord,
} from "../store/types.ts";
import { CloseCode } from "../ws/close_codes.ts";
import type { Connection } from "../ws/connection.ts";
import type { RateSettings } from "../ws/message_limiter.ts";
import { mayEnter } from "./access.ts";
import { type Refusal, refuseJoin } from "./admission.ts";
import { type MemberDetail, Members } from "./members.ts";
import { newRoomRecord } from "./new_room.ts";
import { Outbox, type PublishReceipt } from "./outbox.ts";
import { replayHistory } from "./replay.ts";
import type { RoomContext } from "./room_context.ts";
import { RoomSequence } from "./sequence.ts";
import { welcomeData } from "./welcome.ts";

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
}

/**
 * The state of one room and the handlers of its tasks.
 */
export class RoomState {
  /** Room id. */
  readonly id: string;
  /** Open connections and members. */
  readonly members = new Members();
  readonly #ctx: RoomContext;
  readonly #lifecycle: RoomLifecycle;
  readonly #outbox: Outbox;
  readonly #reservations = new Map<string, number>();
  #record: RoomRecord | null = null;
  #sequence = new RoomSequence(0, 0);

  /**
   * @param id Room id.
   * @param ctx Shared dependencies.
   * @param lifecycle The actor's stop timer.
   */
  constructor(id: string, ctx: RoomContext, lifecycle: RoomLifecycle) {
    this.id = id;
    this.#ctx = ctx;
    this.#lifecycle = lifecycle;
    this.#outbox = new Outbox(id, this.members, ctx.writer, ctx.metrics);
  }

  /** Whether no connection is open or admitted. */
  get empty(): boolean {
    return this.members.connections.size === 0 && this.#reservations.size === 0;
  }

  /** Loads the room from the store (it may not exist yet). */
  async load(): Promise<void> {
    this.#record = await this.#ctx.store.getRoom(this.id);
    if (!this.#record) return this.#lifecycle.scheduleStop(0);
    this.#sequence = await RoomSequence.load(this.#ctx.store, this.id);
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
   * Adds an open connection: welcome, missed messages, presence.
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
    const first = this.members.add(connection);
    if (room.empty_since !== null) {
      this.#record = await this.#ctx.store.updateRoom(this.id, { empty_since: null }) ?? room;
    }
    const recovered = resume ? await this.#canRecover(resume) : undefined;
    const welcome = this.#outbox.envelope(
      "system",
      null,
      welcomeData(room, this.members.infos(), this.#sequence.lastId, recovered, connection.id),
    );
    this.#outbox.sendTo(connection, "system", encodeEnvelope(welcome));
    if (resume) {
      const since = recovered ? resume.since : 0;
      await replayHistory(
        this.#ctx,
        this.id,
        since,
        (frame, type) => this.#outbox.sendTo(connection, type, frame),
      );
    }
    if (first) {
      const presence = this.#outbox.envelope("presence", connection.principal.id, {
        action: "join",
        user: { id: connection.principal.id, name: connection.principal.name },
      });
      this.#outbox.fanOut("presence", encodeEnvelope(presence), connection);
    }
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
    if (removed?.last) {
      const { id, name } = connection.principal;
      const leave = this.#outbox.envelope("presence", id, { action: "leave", user: { id, name } });
      this.#outbox.fanOut("presence", encodeEnvelope(leave), null);
    }
  }

  async #afterDeparture(): Promise<void> {
    if (!this.empty) return;
    if (this.#record && this.#record.empty_since === null) {
      const updated = await this.#ctx.store.updateRoom(this.id, {
        empty_since: new Date().toISOString(),
      });
      this.#record = updated;
    }
    this.#lifecycle.scheduleStop(this.#record ? this.#ctx.config.roomGraceMs : 0);
  }

  /**
   * Broadcasts a client's message; acks it once durable.
   *
   * @param from Sender.
   * @param type Message type.
   * @param data Validated payload.
   * @param persist Whether it gets an id and enters history.
   * @param ref The client's reference.
   * @returns A promise only when ids had to be reserved first.
   */
  publishFromClient(
    from: Connection,
    type: string,
    data: unknown,
    persist: boolean,
    ref: string | undefined,
  ): void | Promise<void> {
    if (!this.members.connections.has(from.id)) return;
    if (persist && this.#sequence.exhausted) {
      return this.#sequence.reserve(this.#ctx.store, this.id).then(() =>
        this.publishFromClient(from, type, data, persist, ref)
      );
    }
    if (!persist) {
      const receipt = this.#outbox.publish(type, from.principal.id, data, null, from);
      this.#outbox.sendTo(from, "ack", encodeAck(ref, undefined, receipt.timestamp));
      return;
    }
    const receipt = this.#outbox.publish(
      type,
      from.principal.id,
      data,
      this.#sequence,
      from,
      (error) => this.#acknowledge(from, ref, receipt, error),
    );
  }

  /** Answers a persisted message's sender once its commit ended: `ack`, or an `error`. */
  #acknowledge(
    from: Connection,
    ref: string | undefined,
    receipt: PublishReceipt,
    error: unknown,
  ): void {
    if (error === undefined) {
      this.#outbox.sendTo(from, "ack", encodeAck(ref, receipt.id, receipt.timestamp));
      return;
    }
    from.log.error("Cannot persist message {id}: {error}", {
      id: receipt.id,
      error: String(error),
    });
    this.#ctx.metrics.error("internal_error");
    const failure: ErrorData = {
      code: "internal_error",
      message: "Cannot store message: storage failed",
    };
    this.#outbox.sendTo(from, "error", encodeError(failure, ref));
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
   * @returns The receipt, or `null` when the room does not exist.
   */
  async publishAsServer(
    type: string,
    data: unknown,
    persist: boolean,
  ): Promise<PublishReceipt | null> {
    if (!this.#record) return null;
    if (persist && this.#sequence.exhausted) await this.#sequence.reserve(this.#ctx.store, this.id);
    return this.#outbox.publish(type, null, data, persist ? this.#sequence : null, null);
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
    this.#sequence = await RoomSequence.load(this.#ctx.store, this.id);
    return created;
  }

  /**
   * Who is present.
   *
   * @returns Members, or `null` when the room does not exist.
   */
  memberDetails(): MemberDetail[] | null {
    return this.#record ? this.members.details() : null;
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
    for (const connection of [...this.members.connections.values()]) {
      this.#remove(connection, CloseCode.removed, "room deleted");
    }
    this.#reservations.clear();
    await this.#destroy();
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
