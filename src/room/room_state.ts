/**
 * The inside of a room actor: its record, members, reservations, ids and outbox, and the
 * small steps the task handlers share. What each task does lives in one module per job —
 * `room_admission.ts` (admit, attach, leave), `room_publish.ts`, `room_history.ts` (history
 * and resume), `room_admin.ts` (create, update, delete, changes from other nodes, expiry).
 * Only {@linkcode Room} (the actor's mailbox loop) calls them, one task at a time, so none of
 * this state is ever shared or raced.
 *
 * @module
 */
import type { RoomPatch, RoomRecord } from "../store/types.ts";
import { CloseCode } from "../ws/close_codes.ts";
import type { Connection } from "../ws/connection.ts";
import type { RateSettings } from "../limits/message_limiter.ts";
import { mayEnter } from "./access.ts";
import { MemberListing } from "./member_listing.ts";
import { Members } from "./members.ts";
import { Outbox } from "./outbox.ts";
import { Publisher } from "./publisher.ts";
import type { RoomContext } from "./room_context.ts";
import { RoomPresence } from "./room_presence.ts";
import { presenceTickMs } from "./presence_tick.ts";

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

/**
 * The state of one room, shared by the handlers of its tasks.
 */
export class RoomState {
  /** Room id. */
  readonly id: string;
  /** Shared dependencies. */
  readonly ctx: RoomContext;
  /** The actor's timers and mailbox. */
  readonly lifecycle: RoomLifecycle;
  /** Open connections and members. */
  readonly members = new Members();
  /** Welcomes and `members` pages. */
  readonly listing: MemberListing;
  /** The room's fan-out. */
  readonly outbox: Outbox;
  /** Batched joins and leaves. */
  readonly presence: RoomPresence;
  /** Admitted connections whose socket has not opened yet, with when they were admitted. */
  readonly reservations = new Map<string, number>();
  /** The publish path. */
  readonly publisher: Publisher;
  /** The stored record; `null` while the room does not exist. */
  record: RoomRecord | null = null;
  #rate: RateSettings = { rate: NaN, burst: NaN };

  /**
   * @param id Room id.
   * @param ctx Shared dependencies.
   * @param lifecycle The actor's stop timer.
   */
  constructor(id: string, ctx: RoomContext, lifecycle: RoomLifecycle) {
    this.id = id;
    this.ctx = ctx;
    this.lifecycle = lifecycle;
    this.outbox = new Outbox(id, this.members, ctx.metrics);
    this.publisher = new Publisher(id, ctx, this.outbox, {
      post: lifecycle.post,
      settled: () => this.lifecycle.scheduleStop(this.stopDelay()),
    });
    this.presence = new RoomPresence(
      this.outbox,
      () =>
        lifecycle.schedulePresence(
          presenceTickMs(
            ctx.config.presenceTickMs,
            this.members.size,
            this.record?.presence ?? "off",
          ),
        ),
    );
    this.listing = new MemberListing(
      id,
      ctx.presence,
      this.outbox,
      this.presence,
      ctx.config.welcomeMembers,
    );
  }

  /** Whether no connection is open or admitted. */
  get empty(): boolean {
    return this.members.size === 0 && this.reservations.size === 0;
  }

  /** Whether the actor may stop: empty, and no write waits for its answer. */
  get idle(): boolean {
    return this.empty && this.publisher.pending === 0;
  }

  /** How long an empty room waits before its actor stops. */
  stopDelay(): number {
    return this.record ? this.ctx.config.roomGraceMs : 0;
  }

  /** Loads the room from the store (it may not exist yet). */
  async load(): Promise<void> {
    this.record = await this.ctx.store.getRoom(this.id);
    if (!this.record) return this.lifecycle.scheduleStop(0);
    await this.publisher.load();
    this.lifecycle.scheduleStop(this.ctx.config.roomGraceMs);
  }

  /** Ends the presence tick: one frame of its joins and leaves to every member. */
  async flushPresence(): Promise<void> {
    const { members } = await this.ctx.presence.count(this.id);
    // A deleted room still ends its tick, so that the next one is scheduled again.
    this.presence.flush(this.record?.presence ?? "off", members);
  }

  /**
   * Removes a connection, closing it with `code` unless `null`; a user's last connection in
   * the room (on every node) is a presence `leave`.
   */
  async remove(connection: Connection, code: number | null, reason: string): Promise<void> {
    if (this.members.remove(connection.id) === null) return;
    if (code !== null) connection.close(code, reason);
    const left = await this.ctx.presence.leave(this.id, connection.id);
    if (left?.last) this.presence.left(connection);
  }

  /** After a departure: an empty room records since when, and may stop. */
  async afterDeparture(): Promise<void> {
    if (!this.empty) return;
    if (this.record && this.record.empty_since === null && !(await this.occupiedElsewhere())) {
      const updated = await this.patchQuietly({ empty_since: new Date().toISOString() });
      if (updated !== undefined) this.record = updated;
    }
    this.lifecycle.scheduleStop(this.stopDelay());
  }

  /** Whether another node still hosts connections of the room (never, on one node). */
  async occupiedElsewhere(): Promise<boolean> {
    try {
      return (await this.ctx.presence.count(this.id)).connections > 0;
    } catch {
      return true;
    }
  }

  /**
   * Records that the room is occupied or empty. A store that fails (a full disk) must not stop
   * the room: the record is left as it is, and the failure logged.
   */
  async patchQuietly(patch: RoomPatch): Promise<RoomRecord | null | undefined> {
    try {
      return await this.ctx.store.updateRoom(this.id, patch);
    } catch (error) {
      this.ctx.log.warn("Cannot update room {room}: {error}", {
        room: this.id,
        error: String(error),
      });
      return undefined;
    }
  }

  /** Takes a new record: users who may no longer be in the room are closed with 4403. */
  async apply(updated: RoomRecord): Promise<void> {
    this.record = updated;
    const rate = this.rate();
    for (const connection of [...this.members.list()]) {
      if (mayEnter(updated, connection.principal)) connection.limiter?.configure(rate);
      else await this.remove(connection, CloseCode.removed, "removed from room");
    }
  }

  /** The room was deleted: its connections are closed with 4403, its reservations dropped. */
  async closeDeleted(): Promise<void> {
    for (const connection of [...this.members.list()]) {
      await this.remove(connection, CloseCode.removed, "room deleted");
    }
    this.reservations.clear();
    await this.ctx.presence.clear(this.id);
  }

  /**
   * Closes every connection with `code`.
   *
   * @param code Close code.
   * @param reason Reason sent to clients.
   */
  closeAll(code: number, reason: string): void {
    for (const connection of this.members.list()) connection.close(code, reason);
  }

  /** The room's message rate, or the server's: one object while it holds, shared by the limiters. */
  rate(): RateSettings {
    const { config } = this.ctx;
    const rate = this.record?.msg_rate ?? config.msgRate;
    const burst = this.record?.msg_burst ?? config.msgBurst;
    if (this.#rate.rate !== rate || this.#rate.burst !== burst) this.#rate = { rate, burst };
    return this.#rate;
  }

  /**
   * The record and live counts (every node).
   *
   * @returns The snapshot, or `null` when the room does not exist.
   */
  async snapshot(): Promise<RoomSnapshot | null> {
    if (!this.record) return null;
    const room = this.record;
    const count = await this.ctx.presence.count(this.id);
    return { room, members: count.members, connections: count.connections };
  }

  /** The room no longer exists: the actor stops. */
  forget(): null {
    this.record = null;
    this.lifecycle.scheduleStop(0);
    return null;
  }
}
