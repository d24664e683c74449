/**
 * The room actor: one mailbox, one consumer loop, and the room's state behind it. Joins,
 * leaves, broadcasts and queries are tasks in the mailbox, so they never race. This class is
 * the room's public behaviour; what each task does lives in {@linkcode RoomState}.
 *
 * @module
 */
import type { BrokerHandler } from "../broker/broker.ts";
import type { RoomChangeListener } from "../control/room_control.ts";
import type { Principal } from "../auth/principal.ts";
import type {
  DedupeKey,
  HistoryPage,
  HistoryQuery,
  RoomPatch,
  RoomRecord,
} from "../store/types.ts";
import { StoreError } from "../store/store_error.ts";
import { CloseCode } from "../ws/close_codes.ts";
import type { Connection } from "../ws/connection.ts";
import { Mailbox } from "./mailbox.ts";
import type { PublishOutcome, PublishReceipt } from "./publisher.ts";
import type { RoomContext } from "./room_context.ts";
import {
  type AdmitResult,
  type MemberDetailsResult,
  type ResumeRequest,
  type RoomSnapshot,
  RoomState,
} from "./room_state.ts";

export type {
  AdmitResult,
  MemberDetailsResult,
  PublishOutcome,
  PublishReceipt,
  ResumeRequest,
  RoomSnapshot,
};

/** Raised when a task is posted to a room that has stopped. */
export class RoomStoppedError extends Error {
  override name = "RoomStoppedError";
}

/**
 * One room. Created by the registry on demand, stopped (and forgotten) when it has been empty
 * for the grace period. A task that throws is a failure of the room: its sockets are closed
 * with 1011 and the actor stops; other rooms carry on. A {@linkcode StoreError} from a request
 * that has a caller (admit, create, update, delete, reads) is only that caller's answer.
 */
export class Room {
  /** Room id. */
  readonly id: string;
  readonly #ctx: RoomContext;
  readonly #mailbox: Mailbox;
  readonly #state: RoomState;
  readonly #onStop: (room: Room) => void;
  readonly #subscription: BrokerHandler;
  readonly #onChange: RoomChangeListener;
  #stopTimer: ReturnType<typeof setTimeout> | undefined;
  #presenceTimer: ReturnType<typeof setTimeout> | undefined;
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
    this.#state = new RoomState(id, ctx, {
      scheduleStop: (delayMs) => this.#scheduleStop(delayMs),
      cancelStop: () => this.#cancelStop(),
      schedulePresence: (delayMs) => this.#schedulePresence(delayMs),
      post: (task) => this.#mailbox.post(task),
    });
    this.#mailbox = new Mailbox((error) => this.#crash(error));
    // Deliveries come back as tasks, so they keep their order among the room's other tasks.
    this.#subscription = {
      message: (message, origin) => {
        this.#mailbox.post(() => this.#state.delivered(message, origin));
      },
      ephemeral: (message) => {
        this.#mailbox.post(() => this.#state.deliveredEphemeral(message));
      },
    };
    this.#onChange = (change) => {
      this.#mailbox.post(() => this.#state.changed(change));
    };
    this.#mailbox.post(async () => {
      await ctx.broker.subscribe(id, this.#subscription);
      await ctx.control.watch(id, this.#onChange);
      await this.#state.load();
    });
  }

  /** Open connections. */
  get connectionCount(): number {
    return this.#state.members.connections.size;
  }

  /** Distinct users present. */
  get memberCount(): number {
    return this.#state.members.userCount;
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
    return this.#ask(() => this.#state.admit(principal, connectionId));
  }

  /**
   * Adds an open connection: it gets the welcome (and missed messages when resuming); if the
   * user was not present yet, the others learn of the join with the presence tick.
   *
   * @param connection The admitted connection, its socket now open.
   * @param resume What to resume from, if the client is reconnecting.
   */
  attach(connection: Connection, resume?: ResumeRequest): void {
    this.#mailbox.post(() => this.#state.attach(connection, resume));
  }

  /**
   * Removes a connection (or releases its reservation if it never opened).
   *
   * @param connectionId The connection's id.
   */
  leave(connectionId: string): void {
    this.#mailbox.post(() => this.#state.leave(connectionId));
  }

  /**
   * Broadcasts a validated client message to the other connections of the room.
   *
   * @param from Sender.
   * @param type Message type.
   * @param data Validated payload.
   * @param persist Whether the type is persisted (gets an id, enters history).
   * @param ref The client's reference, echoed in the `ack`.
   * @param cid The client's message id (a persisted repeat publishes nothing).
   */
  publish(
    from: Connection,
    type: string,
    data: unknown,
    persist: boolean,
    ref?: string,
    cid?: string,
  ): void {
    this.#mailbox.post(() => this.#state.publishFromClient(from, type, data, persist, ref, cid));
  }

  /**
   * Answers a client's `history` request.
   *
   * @param to The asking connection.
   * @param query Which messages.
   * @param ref The client's reference.
   */
  sendHistory(to: Connection, query: HistoryQuery, ref?: string): void {
    this.#mailbox.post(() => this.#state.sendHistory(to, query, ref));
  }

  /**
   * Answers a client's `members` request.
   *
   * @param to The asking connection.
   * @param cursor From the welcome or a previous page.
   * @param limit Most members on the page.
   * @param ref The client's reference.
   */
  sendMembers(to: Connection, cursor: string | undefined, limit: number, ref?: string): void {
    this.#mailbox.post(() => this.#state.listing.sendPage(to, cursor, limit, ref));
  }

  /**
   * Reads history, after committing what is still queued so that every acknowledged message
   * is included.
   *
   * @param query Which messages.
   * @returns The page.
   */
  readHistory(query: HistoryQuery): Promise<HistoryPage> {
    return this.#ask(() => this.#state.readHistory(query));
  }

  /**
   * Publishes a message as the server (`user_id` null) to every connection.
   *
   * @param type Message type.
   * @param data Payload.
   * @param persist Whether it gets an id and enters history.
   * @param dedupe Publish only once per key (an `Idempotency-Key`).
   * @returns The promise of its outcome (once stored and delivered); `null` when the room does
   * not exist.
   */
  publishAsServer(
    type: string,
    data: unknown,
    persist: boolean,
    dedupe?: DedupeKey,
  ): Promise<PublishReceipt | null> {
    return this.#ask(() => this.#state.publishAsServer(type, data, persist, dedupe));
  }

  /**
   * Creates the room from a complete record (the rooms API), unless it exists already.
   *
   * @param record The new room's record.
   * @returns The snapshot of the new room, or `null` when the id is taken.
   */
  create(record: RoomRecord): Promise<RoomSnapshot | null> {
    return this.#ask(() => this.#state.create(record));
  }

  /**
   * The room's record and live counts.
   *
   * @returns The snapshot, or `null` when the room does not exist.
   */
  snapshot(): Promise<RoomSnapshot | null> {
    return this.#ask(() => this.#state.snapshot());
  }

  /**
   * A page of who is present, in join order.
   *
   * @param cursor From a previous page; `undefined` starts with the first member.
   * @param limit Most members on the page.
   * @returns The page, or `no_room` / `bad_cursor`.
   */
  members(cursor: string | undefined, limit: number): Promise<MemberDetailsResult> {
    return this.#ask(() => this.#state.memberDetails(cursor, limit));
  }

  /**
   * Changes the room. Connected users who may no longer be in it are closed with 4403; a lower
   * capacity only blocks new joins.
   *
   * @param patch Fields to change.
   * @returns The updated snapshot, or `null` when the room does not exist.
   */
  update(patch: RoomPatch): Promise<RoomSnapshot | null> {
    return this.#ask(() => this.#state.update(patch));
  }

  /**
   * Deletes the room with its history; its connections are closed with 4403.
   *
   * @returns `false` when the room did not exist.
   */
  delete(): Promise<boolean> {
    return this.#ask(() => this.#state.delete());
  }

  /**
   * Deletes the room if it is empty and due for cleanup at `now`.
   *
   * @param now Current time.
   * @param emptyRoomTtlS How long `auto` rooms without `ttl_s` may stay empty.
   * @returns Whether the room was deleted.
   */
  expireIfDue(now: Date, emptyRoomTtlS: number): Promise<boolean> {
    return this.#ask(() => this.#state.expireIfDue(now, emptyRoomTtlS));
  }

  /**
   * Closes every connection (server shutdown); their departures follow as the sockets close.
   *
   * @param code Close code (1001).
   * @param reason Reason sent to clients.
   */
  closeAll(code: number, reason: string): void {
    this.#mailbox.post(() => this.#state.closeAll(code, reason));
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

  #ask<T>(fn: () => T | Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const posted = this.#mailbox.post(async () => {
        try {
          resolve(await fn());
        } catch (error) {
          reject(error);
          // A store that fails (a full disk) is the caller's answer, not a failure of the room.
          if (!(error instanceof StoreError)) throw error;
        }
      });
      if (!posted) reject(new RoomStoppedError(`Cannot reach room "${this.id}": it has stopped`));
    });
  }

  #scheduleStop(delayMs: number): void {
    this.#cancelStop();
    if (!this.#state.idle) return;
    this.#stopTimer = setTimeout(() => {
      this.#stopTimer = undefined;
      this.#mailbox.post(() => {
        if (this.#state.idle && this.#mailbox.depth === 0) this.#stop();
      });
    }, delayMs);
  }

  /** One timer per room, armed by the first presence event of a tick. */
  #schedulePresence(delayMs: number): void {
    if (this.#presenceTimer !== undefined) return;
    this.#presenceTimer = setTimeout(() => {
      this.#presenceTimer = undefined;
      this.#mailbox.post(() => this.#state.flushPresence());
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
    clearTimeout(this.#presenceTimer);
    this.#presenceTimer = undefined;
    this.#mailbox.close();
    void this.#ctx.broker.unsubscribe(this.id, this.#subscription);
    void this.#ctx.control.unwatch(this.id, this.#onChange);
    this.#onStop(this);
  }

  #crash(error: unknown): void {
    this.#ctx.log.error("Room {room} failed: {error}", {
      room: this.id,
      error: error instanceof Error ? (error.stack ?? error.message) : String(error),
    });
    this.#state.closeAll(CloseCode.internalError, "internal error");
    this.#stop();
  }
}
