/**
 * The room actor: one mailbox, one consumer loop, and the room's state behind it. Joins,
 * leaves, broadcasts and queries are tasks in the mailbox, so they never race. This class is
 * the room's public behaviour; what each task does lives in the job modules it names.
 *
 * @module
 */
import type { Principal } from "../auth/principal.ts";
import type {
  DedupeKey,
  HistoryPage,
  HistoryQuery,
  RoomPatch,
  RoomRecord,
} from "../store/types.ts";
import type { RateSettings } from "../limits/message_limiter.ts";
import { StoreError } from "../store/store_error.ts";
import { CloseCode } from "../ws/close_codes.ts";
import type { Connection } from "../ws/connection.ts";
import { Mailbox } from "./mailbox.ts";
import { linkRoom, type RoomListeners, unlinkRoom } from "./room_links.ts";
import { RoomTimers } from "./room_timers.ts";
import type { PublishOutcome, PublishReceipt } from "./publisher.ts";
import type { RoomContext } from "./room_context.ts";
import * as admin from "./room_admin.ts";
import * as admission from "./room_admission.ts";
import * as history from "./room_history.ts";
import * as publishing from "./room_publish.ts";
import { type RoomSnapshot, RoomState } from "./room_state.ts";

export type { AdmitResult } from "./room_admission.ts";
export type { MemberDetailsResult } from "./room_admin.ts";
export type { ResumeRequest } from "./room_history.ts";
export type { PublishOutcome, PublishReceipt, RoomSnapshot };

/** Raised when a task is posted to a room that has stopped. */
export class RoomStoppedError extends Error {
  override name = "RoomStoppedError";
}

/**
 * One room. Created by the registry on demand, stopped (and forgotten) when it has been empty
 * for the grace period. A task that throws is a failure of the room: its sockets are closed
 * with 1011 and the actor stops; other rooms carry on. A {@linkcode StoreError} from a request
 * that has a caller (admit, create, update, delete, reads) is only that caller's answer.
 *
 * Each method below posts the task of the same name in a job module (`room_admission.ts`,
 * `room_publish.ts`, `room_history.ts`, `room_admin.ts`), where it is documented: a method
 * that returns a promise *asks* (the promise settles with the task's answer), one that
 * returns nothing *tells* (fire and forget).
 */
export class Room {
  /** Room id. */
  readonly id: string;
  readonly #ctx: RoomContext;
  readonly #mailbox: Mailbox;
  readonly #state: RoomState;
  readonly #onStop: (room: Room) => void;
  readonly #listeners: RoomListeners;
  readonly #timers = new RoomTimers({ tell: (task) => this.#tell(task) });
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
    const state = this.#state = new RoomState(id, ctx, {
      scheduleStop: (delayMs) => this.#scheduleStop(delayMs),
      cancelStop: () => this.#timers.cancelStop(),
      schedulePresence: (delayMs) =>
        this.#timers.schedulePresence(delayMs, () => state.flushPresence()),
      post: (task) => this.#mailbox.post(task),
    });
    this.#mailbox = new Mailbox((error) => this.#crash(error));
    // Deliveries and changes from other nodes come back as tasks, in order with the others.
    this.#listeners = {
      subscription: {
        message: (message, origin) => this.#tell(() => state.publisher.delivered(message, origin)),
        ephemeral: (message) => this.#tell(() => state.publisher.deliveredEphemeral(message)),
        epoch: (epoch, lastId) => this.#tell(() => publishing.epochChanged(state, epoch, lastId)),
      },
      onChange: (change) => this.#tell(() => admin.changed(state, change)),
      onPresence: (diff) => this.#tell(() => state.presence.remote(diff)),
    };
    this.#tell(() => this.#start());
  }

  /**
   * Subscribes the room on its engines and loads it. When that fails (Redis away) the actor
   * stops before anyone is in, and the tasks queued behind refuse, so that the next join
   * starts a fresh actor instead of one that missed its subscription.
   */
  async #start(): Promise<void> {
    const { id } = this;
    const ctx = this.#ctx;
    try {
      await linkRoom(ctx, id, this.#listeners);
      // A shared engine forgets the entries a node stops refreshing (a dead node's).
      const { refreshMs } = ctx.presence;
      if (refreshMs > 0 && !this.#stopped) {
        this.#timers.refreshEvery(refreshMs, () => ctx.presence.refresh(id));
      }
      await this.#state.load();
    } catch (error) {
      if (!(error instanceof StoreError)) throw error;
      ctx.log.warn("Cannot start room {room}: {error}", { room: id, error: error.message });
      this.#stop();
    }
  }

  /** Open connections. */
  get connectionCount(): number {
    return this.#state.members.size;
  }

  /** Distinct users present. */
  get memberCount(): number {
    return this.#state.members.userCount;
  }

  /** The room's message rate: its own, else the server's. */
  rate(): RateSettings {
    return this.#state.rate();
  }

  /** Tasks waiting in the mailbox. */
  get mailboxDepth(): number {
    return this.#mailbox.depth;
  }

  /** Whether the actor has stopped. */
  get stopped(): boolean {
    return this.#stopped;
  }

  /** Asks {@linkcode admission.admit}. */
  admit(principal: Principal, connectionId: string): Promise<admission.AdmitResult> {
    return this.#ask(() => admission.admit(this.#state, principal, connectionId));
  }

  /** Tells {@linkcode admission.attach}. */
  attach(connection: Connection, resume?: history.ResumeRequest): void {
    this.#tell(() => admission.attach(this.#state, connection, resume));
  }

  /** Tells {@linkcode admission.leave}. */
  leave(connectionId: string): void {
    this.#tell(() => admission.leave(this.#state, connectionId));
  }

  /** Tells {@linkcode publishing.publishFromClient}. */
  publish(
    from: Connection,
    type: string,
    data: unknown,
    persist: boolean,
    ref?: string,
    cid?: string,
  ): void {
    this.#tell(() =>
      publishing.publishFromClient(this.#state, from, type, data, persist, ref, cid)
    );
  }

  /** Tells {@linkcode history.sendHistory}. */
  sendHistory(to: Connection, query: HistoryQuery, ref?: string): void {
    this.#tell(() => history.sendHistory(this.#state, to, query, ref));
  }

  /** Tells the listing to send a `members` page (see `member_listing.ts`). */
  sendMembers(to: Connection, cursor: string | undefined, limit: number, ref?: string): void {
    this.#tell(() => this.#state.listing.sendPage(to, cursor, limit, ref));
  }

  /** Asks {@linkcode history.readHistory}. */
  readHistory(query: HistoryQuery): Promise<HistoryPage> {
    return this.#ask(() => history.readHistory(this.#state, query));
  }

  /** Asks {@linkcode publishing.publishAsServer}. */
  publishAsServer(
    type: string,
    data: unknown,
    persist: boolean,
    dedupe?: DedupeKey,
  ): Promise<PublishReceipt | null> {
    return this.#ask(() => publishing.publishAsServer(this.#state, type, data, persist, dedupe));
  }

  /** Asks {@linkcode admin.create}. */
  create(record: RoomRecord): Promise<RoomSnapshot | null> {
    return this.#ask(() => admin.create(this.#state, record));
  }

  /** Asks for the record and live counts (`null` when the room does not exist). */
  snapshot(): Promise<RoomSnapshot | null> {
    return this.#ask(() => this.#state.snapshot());
  }

  /** Asks {@linkcode admin.memberDetails}. */
  members(cursor: string | undefined, limit: number): Promise<admin.MemberDetailsResult> {
    return this.#ask(() => admin.memberDetails(this.#state, cursor, limit));
  }

  /** Asks {@linkcode admin.update}. */
  update(patch: RoomPatch): Promise<RoomSnapshot | null> {
    return this.#ask(() => admin.update(this.#state, patch));
  }

  /** Asks {@linkcode admin.remove}. */
  delete(): Promise<boolean> {
    return this.#ask(() => admin.remove(this.#state));
  }

  /** Asks {@linkcode admin.expireIfDue}. */
  expireIfDue(now: Date, emptyRoomTtlS: number): Promise<boolean> {
    return this.#ask(() => admin.expireIfDue(this.#state, now, emptyRoomTtlS));
  }

  /** Tells every connection to close (shutdown); their departures follow as sockets close. */
  closeAll(code: number, reason: string): void {
    this.#tell(() => this.#state.closeAll(code, reason));
  }

  /** Resolves when the mailbox is empty. */
  idle(): Promise<void> {
    return this.#mailbox.idle();
  }

  /** Stops the actor now, dropping timers; used last at shutdown. */
  halt(): void {
    this.#stop();
  }

  /** Posts a task; nothing waits for it (dropped once the actor has stopped). */
  #tell(task: () => void | Promise<void>): void {
    this.#mailbox.post(() => this.#stopped ? undefined : task());
  }

  /** Posts a task and settles with its answer; a stopped room rejects. */
  #ask<T>(fn: () => T | Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const posted = this.#mailbox.post(async () => {
        if (this.#stopped) return reject(this.#stoppedError());
        try {
          resolve(await fn());
        } catch (error) {
          reject(error);
          // A store that fails (a full disk) is the caller's answer, not a failure of the room.
          if (!(error instanceof StoreError)) throw error;
        }
      });
      if (!posted) reject(this.#stoppedError());
    });
  }

  #stoppedError(): RoomStoppedError {
    return new RoomStoppedError(`Cannot reach room "${this.id}": it has stopped`);
  }

  #scheduleStop(delayMs: number): void {
    this.#timers.cancelStop();
    if (!this.#state.idle) return;
    this.#timers.scheduleStop(delayMs, () => {
      if (this.#state.idle && this.#mailbox.depth === 0) this.#stop();
    });
  }

  #stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#timers.clear();
    this.#mailbox.close();
    unlinkRoom(this.#ctx, this.id, this.#listeners);
    this.#onStop(this);
  }

  #crash(error: unknown): void {
    // Storage that fails (a full disk, Redis away) fails that task only; the room and its
    // connections stay up, and the engine's TTLs and retries repair what the task left undone.
    if (error instanceof StoreError) {
      this.#ctx.log.warn("Room {room}: a task failed on storage: {error}", {
        room: this.id,
        error: error.message,
      });
      return;
    }
    this.#ctx.log.error("Room {room} failed: {error}", {
      room: this.id,
      error: error instanceof Error ? (error.stack ?? error.message) : String(error),
    });
    this.#state.closeAll(CloseCode.internalError, "internal error");
    this.#stop();
  }
}
