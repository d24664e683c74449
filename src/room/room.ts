/**
 * The room actor: one mailbox, one consumer loop, and all of a room's live state. Joins,
 * leaves, broadcasts and queries are tasks in the mailbox, so they never race.
 *
 * @module
 */
import type { Principal } from "../auth/principal.ts";
import { encodeAck, encodeEnvelope, encodeError } from "../protocol/codec.ts";
import type { HistoryPage, HistoryQuery, RoomPatch, RoomRecord } from "../store/types.ts";
import { CloseCode } from "../ws/close_codes.ts";
import type { Connection } from "../ws/connection.ts";
import type { RateSettings } from "../ws/message_limiter.ts";
import { mayEnter } from "./access.ts";
import { Mailbox } from "./mailbox.ts";
import { type MemberDetail, Members } from "./members.ts";
import { newRoomRecord } from "./new_room.ts";
import type { RoomContext } from "./room_context.ts";
import { replayHistory } from "./replay.ts";
import { RoomSequence } from "./sequence.ts";
import { welcomeData } from "./welcome.ts";
import { Outbox, type PublishReceipt } from "./outbox.ts";

export type { PublishReceipt };
import { type Refusal, refuseJoin } from "./admission.ts";

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

/** Raised when a task is posted to a room that has stopped. */
export class RoomStoppedError extends Error {
  override name = "RoomStoppedError";
}

/**
 * One room. Created by the registry on demand, stopped (and forgotten) when it has been empty
 * for the grace period.
 */
export class Room {
  /** Room id. */
  readonly id: string;
  readonly #ctx: RoomContext;
  readonly #mailbox: Mailbox;
  readonly #members = new Members();
  readonly #outbox: Outbox;
  readonly #reservations = new Map<string, number>();
  readonly #onStop: (room: Room) => void;
  #record: RoomRecord | null = null;
  #sequence = new RoomSequence(0, 0);
  #stopTimer: ReturnType<typeof setTimeout> | undefined;
  #stopped = false;

  /**
   * @param id Room id.
   * @param ctx Shared dependencies.
   * @param onStop Told once when the actor stops, so the registry forgets it.
   */
  constructor(id: string, ctx: RoomContext, onStop: (room: Room) => void) {
    this.id = id;
    this.#ctx = ctx;
    this.#onStop = onStop;
    this.#outbox = new Outbox(id, this.#members, ctx.writer, ctx.metrics);
    this.#mailbox = new Mailbox((error) => this.#crash(error));
    this.#mailbox.post(() => this.#load());
  }

  /** Open connections. */
  get connectionCount(): number {
    return this.#members.connections.size;
  }

  /** Distinct users present. */
  get memberCount(): number {
    return this.#members.userCount;
  }

  /** Tasks waiting in the mailbox. */
  get mailboxDepth(): number {
    return this.#mailbox.depth;
  }

  /** Whether the actor has stopped. */
  get stopped(): boolean {
    return this.#stopped;
  }

  /**
   * Asks the room to admit a user, creating the room on first join. Reserves a slot so that
   * concurrent joins never exceed capacity.
   *
   * @param principal The user.
   * @param connectionId The id the connection will have.
   * @returns Admission, with the rate limits of the room, or the reason for refusal.
   */
  admit(principal: Principal, connectionId: string): Promise<AdmitResult> {
    return this.#ask(() => this.#admit(principal, connectionId));
  }

  /**
   * Adds an open connection: it gets the welcome (and missed messages when resuming), the
   * others get a presence `join` if the user was not present yet.
   *
   * @param connection The admitted connection, its socket now open.
   * @param resume What to resume from, if the client is reconnecting.
   */
  attach(connection: Connection, resume?: ResumeRequest): void {
    this.#post(() => this.#attach(connection, resume));
  }

  /**
   * Removes a connection (or releases its reservation if it never opened).
   *
   * @param connectionId The connection's id.
   */
  leave(connectionId: string): void {
    this.#post(() => this.#leave(connectionId));
  }

  /**
   * Broadcasts a validated client message to the other connections of the room.
   *
   * @param from Sender.
   * @param type Message type.
   * @param data Validated payload.
   * @param persist Whether the type is persisted (gets an id, enters history).
   * @param ref The client's reference, echoed in the `ack`.
   */
  publish(from: Connection, type: string, data: unknown, persist: boolean, ref?: string): void {
    this.#post(() => this.#publishFromClient(from, type, data, persist, ref));
  }

  /**
   * Answers a client's `history` request.
   *
   * @param to The asking connection.
   * @param query Which messages.
   * @param ref The client's reference.
   */
  sendHistory(to: Connection, query: HistoryQuery, ref?: string): void {
    this.#post(async () => {
      const page = await this.readHistory(query, false);
      to.send(JSON.stringify({ type: "history", ref, data: page }));
    });
  }

  /**
   * Reads history, after committing what is still queued so that every acknowledged message
   * is included.
   *
   * @param query Which messages.
   * @param viaMailbox Whether to read through the mailbox (callers outside the actor).
   * @returns The page.
   */
  readHistory(query: HistoryQuery, viaMailbox = true): Promise<HistoryPage> {
    const read = async () => {
      await this.#ctx.writer.flush();
      return this.#ctx.store.readMessages(this.id, query);
    };
    return viaMailbox ? this.#ask(read) : read();
  }

  /**
   * Publishes a message as the server (`user_id` null) to every connection.
   *
   * @param type Message type.
   * @param data Payload.
   * @param persist Whether it gets an id and enters history.
   * @returns Id and time, plus a promise of durability; `null` when the room does not exist.
   */
  publishAsServer(type: string, data: unknown, persist: boolean): Promise<PublishReceipt | null> {
    return this.#ask(async () => {
      if (!this.#record) return null;
      if (persist && this.#sequence.exhausted) {
        await this.#sequence.reserve(this.#ctx.store, this.id);
      }
      return this.#outbox.publish(type, null, data, persist ? this.#sequence : null, null);
    });
  }

  /**
   * Creates the room from a complete record (the rooms API), unless it exists already.
   *
   * @param record The new room's record.
   * @returns The snapshot of the new room, or `null` when the id is taken.
   */
  create(record: RoomRecord): Promise<RoomSnapshot | null> {
    return this.#ask(async () => {
      if (this.#record) return null;
      if (!(await this.#ctx.store.createRoom(record))) {
        this.#record = await this.#ctx.store.getRoom(this.id);
        return null;
      }
      this.#record = record;
      this.#sequence = await RoomSequence.load(this.#ctx.store, this.id);
      this.#scheduleStop(this.#ctx.config.roomGraceMs);
      return this.#snapshot();
    });
  }

  /**
   * The room's record and live counts.
   *
   * @returns The snapshot, or `null` when the room does not exist.
   */
  snapshot(): Promise<RoomSnapshot | null> {
    return this.#ask(() => this.#snapshot());
  }

  /**
   * Who is present.
   *
   * @returns Members, or `null` when the room does not exist.
   */
  members(): Promise<MemberDetail[] | null> {
    return this.#ask(() => this.#record ? this.#members.details() : null);
  }

  /**
   * Changes the room. Connected users who may no longer be in it are closed with 4403; a lower
   * capacity only blocks new joins.
   *
   * @param patch Fields to change.
   * @returns The updated snapshot, or `null` when the room does not exist.
   */
  update(patch: RoomPatch): Promise<RoomSnapshot | null> {
    return this.#ask(async () => {
      if (!this.#record) return null;
      const updated = await this.#ctx.store.updateRoom(this.id, patch);
      if (!updated) return this.#forget();
      this.#record = updated;
      const rate = this.#rate();
      for (const connection of [...this.#members.connections.values()]) {
        if (mayEnter(updated, connection.principal)) connection.limiter.configure(rate);
        else this.#remove(connection, CloseCode.removed, "removed from room");
      }
      return this.#snapshot();
    });
  }

  /**
   * Deletes the room with its history; its connections are closed with 4403.
   *
   * @returns `false` when the room did not exist.
   */
  delete(): Promise<boolean> {
    return this.#ask(async () => {
      if (!this.#record) return false;
      for (const connection of [...this.#members.connections.values()]) {
        this.#remove(connection, CloseCode.removed, "room deleted");
      }
      this.#reservations.clear();
      await this.#ctx.writer.flush();
      await this.#ctx.store.deleteRoom(this.id);
      this.#forget();
      return true;
    });
  }

  /**
   * Deletes the room if it is empty and due for cleanup at `now`.
   *
   * @param now Current time.
   * @param emptyRoomTtlS How long `auto` rooms without `ttl_s` may stay empty.
   * @returns Whether the room was deleted.
   */
  expireIfDue(now: Date, emptyRoomTtlS: number): Promise<boolean> {
    return this.#ask(async () => {
      const room = this.#record;
      if (!room || room.empty_since === null || !this.#isEmpty()) return false;
      const ttl = room.ttl_s ?? (room.origin === "auto" ? emptyRoomTtlS : null);
      if (ttl === null || now.getTime() - Date.parse(room.empty_since) < ttl * 1000) return false;
      await this.#ctx.writer.flush();
      await this.#ctx.store.deleteRoom(this.id);
      this.#forget();
      return true;
    });
  }

  /**
   * Closes every connection (server shutdown); their departures follow as the sockets close.
   *
   * @param code Close code (1001).
   * @param reason Reason sent to clients.
   */
  closeAll(code: number, reason: string): void {
    this.#post(() => {
      for (const connection of this.#members.connections.values()) connection.close(code, reason);
    });
  }

  /**
   * Resolves when the mailbox is empty.
   *
   * @returns A promise of an idle actor.
   */
  idle(): Promise<void> {
    return this.#mailbox.idle();
  }

  /** Stops the actor now, dropping timers; used last at shutdown. */
  halt(): void {
    this.#stop();
  }

  #post(task: () => void | Promise<void>): void {
    this.#mailbox.post(task);
  }

  #ask<T>(fn: () => T | Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const posted = this.#mailbox.post(async () => {
        try {
          resolve(await fn());
        } catch (error) {
          reject(error);
          throw error;
        }
      });
      if (!posted) reject(new RoomStoppedError(`Cannot reach room "${this.id}": it has stopped`));
    });
  }

  async #load(): Promise<void> {
    this.#record = await this.#ctx.store.getRoom(this.id);
    if (!this.#record) return this.#scheduleStop(0);
    this.#sequence = await RoomSequence.load(this.#ctx.store, this.id);
    this.#scheduleStop(this.#ctx.config.roomGraceMs);
  }

  async #admit(principal: Principal, connectionId: string): Promise<AdmitResult> {
    if (!this.#record) {
      const record = newRoomRecord(
        this.id,
        "auto",
        principal.id,
        this.#ctx.config.defaultMaxClients,
      );
      if (!(await this.#ctx.store.createRoom(record))) {
        this.#record = await this.#ctx.store.getRoom(this.id);
        if (!this.#record) throw new Error(`room "${this.id}" vanished while being created`);
      } else this.#record = record;
      this.#sequence = await RoomSequence.load(this.#ctx.store, this.id);
    }
    this.#dropStaleReservations();
    const taken = this.#members.connections.size + this.#reservations.size;
    const refusal = refuseJoin(this.#record, principal, taken);
    if (refusal) return { ok: false, ...refusal };
    this.#reservations.set(connectionId, Date.now());
    this.#cancelStop();
    return { ok: true, rate: this.#rate() };
  }

  async #attach(connection: Connection, resume?: ResumeRequest): Promise<void> {
    if (!this.#reservations.delete(connection.id) || !this.#record || connection.closing) {
      if (!connection.closing) connection.close(CloseCode.removed, "admission expired");
      return this.#afterDeparture();
    }
    const room = this.#record;
    const first = this.#members.add(connection);
    if (room.empty_since !== null) {
      this.#record = await this.#ctx.store.updateRoom(this.id, { empty_since: null }) ?? room;
    }
    const recovered = resume ? await this.#canRecover(resume) : undefined;
    const welcome = this.#outbox.envelope(
      "system",
      null,
      welcomeData(room, this.#members.infos(), this.#sequence.lastId, recovered, connection.id),
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

  async #leave(connectionId: string): Promise<void> {
    if (this.#reservations.delete(connectionId)) return this.#afterDeparture();
    const connection = this.#members.connections.get(connectionId);
    if (connection) this.#remove(connection, null, "");
    await this.#afterDeparture();
  }

  #remove(connection: Connection, code: number | null, reason: string): void {
    const removed = this.#members.remove(connection.id);
    if (code !== null) connection.close(code, reason);
    if (removed?.last) {
      const { id, name } = connection.principal;
      const leave = this.#outbox.envelope("presence", id, { action: "leave", user: { id, name } });
      this.#outbox.fanOut("presence", encodeEnvelope(leave), null);
    }
  }

  async #afterDeparture(): Promise<void> {
    if (!this.#isEmpty()) return;
    if (this.#record && this.#record.empty_since === null) {
      const updated = await this.#ctx.store.updateRoom(this.id, {
        empty_since: new Date().toISOString(),
      });
      this.#record = updated;
    }
    this.#scheduleStop(this.#record ? this.#ctx.config.roomGraceMs : 0);
  }

  #publishFromClient(
    from: Connection,
    type: string,
    data: unknown,
    persist: boolean,
    ref: string | undefined,
  ): void | Promise<void> {
    if (!this.#members.connections.has(from.id)) return;
    if (persist && this.#sequence.exhausted) {
      return this.#sequence.reserve(this.#ctx.store, this.id).then(() =>
        this.#publishFromClient(from, type, data, persist, ref)
      );
    }
    const receipt = this.#outbox.publish(
      type,
      from.principal.id,
      data,
      persist ? this.#sequence : null,
      from,
    );
    if (!persist) {
      this.#outbox.sendTo(from, "ack", encodeAck(ref, undefined, receipt.timestamp));
      return;
    }
    receipt.committed.then(
      () => this.#outbox.sendTo(from, "ack", encodeAck(ref, receipt.id, receipt.timestamp)),
      (error) => {
        from.log.error("Cannot persist message {id}: {error}", {
          id: receipt.id,
          error: String(error),
        });
        this.#ctx.metrics.error("internal_error");
        from.send(
          encodeError(
            { code: "internal_error", message: "Cannot store message: storage failed" },
            ref,
          ),
        );
      },
    );
  }

  #rate(): RateSettings {
    const { config } = this.#ctx;
    return {
      rate: this.#record?.msg_rate ?? config.msgRate,
      burst: this.#record?.msg_burst ?? config.msgBurst,
    };
  }

  #snapshot(): RoomSnapshot | null {
    if (!this.#record) return null;
    return {
      room: this.#record,
      members: this.#members.userCount,
      connections: this.#members.connections.size,
    };
  }

  #isEmpty(): boolean {
    return this.#members.connections.size === 0 && this.#reservations.size === 0;
  }

  #dropStaleReservations(): void {
    const cutoff = Date.now() - RESERVATION_TTL_MS;
    for (const [id, at] of this.#reservations) if (at < cutoff) this.#reservations.delete(id);
  }

  #forget(): null {
    this.#record = null;
    this.#scheduleStop(0);
    return null;
  }

  #scheduleStop(delayMs: number): void {
    this.#cancelStop();
    if (!this.#isEmpty()) return;
    this.#stopTimer = setTimeout(() => {
      this.#stopTimer = undefined;
      this.#post(() => {
        if (this.#isEmpty() && this.#mailbox.depth === 0) this.#stop();
      });
    }, delayMs);
  }

  #cancelStop(): void {
    if (this.#stopTimer !== undefined) clearTimeout(this.#stopTimer);
    this.#stopTimer = undefined;
  }

  #stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#cancelStop();
    this.#mailbox.close();
    this.#onStop(this);
  }

  #crash(error: unknown): void {
    this.#ctx.log.error("Room {room} failed: {error}", {
      room: this.id,
      error: error instanceof Error ? (error.stack ?? error.message) : String(error),
    });
    for (const connection of this.#members.connections.values()) {
      connection.close(CloseCode.internalError, "internal error");
    }
    this.#stop();
  }
}
