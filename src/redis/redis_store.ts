/**
 * The Redis {@linkcode Store}: room records as JSON strings (one key per room), a global
 * sorted set of room ids for listing, and each room's history through {@linkcode RedisHistory}.
 * Every key of a room shares its hash tag, so each operation on a room is one script on one
 * shard; the global index is written by separate commands (another shard on a Cluster), index
 * first, so an index entry may outlive its record (listing skips it) but a record is never
 * unlisted.
 *
 * A batch of `appendMessages` is atomic per message (one script each), not across messages:
 * a Cluster cannot run one transaction over rooms on several shards.
 *
 * @module
 */
import type { Origin } from "../broker/broker.ts";
import { checkLimit } from "../store/_check_limit.ts";
import { StoreError } from "../store/store_error.ts";
import {
  type AppendResult,
  applyRoomPatch,
  type HistoryPage,
  type HistoryQuery,
  type ListRoomsOptions,
  type NewMessage,
  type RetentionOptions,
  type RoomPage,
  type RoomPatch,
  type RoomRecord,
  type SequenceState,
  type Store,
} from "../store/types.ts";
import type { RedisKeys } from "./keys.ts";
import type { PublishReply } from "./publish_lua.ts";
import { RedisHistory } from "./redis_history.ts";
import { RoomIndex } from "./room_index.ts";
import type { RedisLink } from "./redis_link.ts";
import { CREATE_ROOM_SCRIPT, DELETE_ROOM_SCRIPT, UPDATE_ROOM_SCRIPT } from "./room_lua.ts";

/**
 * Rooms and history in Redis. Closing it does not close the link (the engine does).
 *
 * @example
 * ```ts ignore
 * const store = new RedisStore(link, new RedisKeys("roomd:"), { historySize: 1000 });
 * await store.createRoom(newRoomRecord("lobby", "api", null, 0));
 * ```
 */
export class RedisStore implements Store {
  readonly #link: RedisLink;
  readonly #keys: RedisKeys;
  readonly #history: RedisHistory;
  readonly #index: RoomIndex;
  #closed = false;

  /**
   * @param link The node's Redis.
   * @param keys Key names.
   * @param options Retention: about the newest `historySize` messages kept per room.
   */
  constructor(link: RedisLink, keys: RedisKeys, options: RetentionOptions) {
    this.#link = link;
    this.#keys = keys;
    this.#history = new RedisHistory(link, keys, options.historySize);
    this.#index = new RoomIndex(link, keys);
  }

  /**
   * The room, with the epoch of its sequence (where it lives beside the id counter).
   *
   * @param id Room id.
   * @returns The record, or `null`.
   */
  getRoom(id: string): Promise<RoomRecord | null> {
    return this.#run(`Cannot read room "${id}"`, async () => {
      const rec = this.#keys.room(id, "rec");
      const seq = this.#keys.room(id, "seq");
      const [text, epoch] = await Promise.all([
        this.#link.command(["GET", rec], rec),
        this.#link.command(["HGET", seq, "epoch"], seq),
      ]);
      if (typeof text !== "string") return null;
      const room = JSON.parse(text) as RoomRecord;
      if (typeof epoch === "string") room.epoch = epoch;
      return room;
    });
  }

  /**
   * Stores a new room (and its epoch in its sequence, unless that has one).
   *
   * @param room The record.
   * @returns `false` (and no change) when the id is taken.
   */
  createRoom(room: RoomRecord): Promise<boolean> {
    return this.#run(`Cannot create room "${room.id}"`, async () => {
      await this.#index.add(room.id);
      const keys = [this.#keys.room(room.id, "rec"), this.#keys.room(room.id, "seq")];
      const created = await this.#link.eval(CREATE_ROOM_SCRIPT, keys, [
        JSON.stringify(room),
        room.epoch,
      ]);
      return created === 1;
    });
  }

  /**
   * Applies a patch (see {@linkcode applyRoomPatch}), compare-and-set against concurrent ones.
   *
   * @param id Room id.
   * @param patch The changes.
   * @returns The updated room, or `null` when there is none.
   */
  updateRoom(id: string, patch: RoomPatch): Promise<RoomRecord | null> {
    return this.#run(`Cannot update room "${id}"`, async () => {
      const rec = this.#keys.room(id, "rec");
      for (;;) {
        const text = await this.#link.command(["GET", rec], rec);
        if (typeof text !== "string") return null;
        const next = applyRoomPatch(JSON.parse(text) as RoomRecord, patch);
        const args = [text, JSON.stringify(next)];
        if (await this.#link.eval(UPDATE_ROOM_SCRIPT, [rec], args) === 1) {
          return await this.getRoom(id);
        }
      }
    });
  }

  /**
   * Deletes the room and every key of it: history, sequence, dedupe keys.
   *
   * @param id Room id.
   * @returns `false` when there was no such room.
   */
  deleteRoom(id: string): Promise<boolean> {
    return this.#run(`Cannot delete room "${id}"`, async () => {
      const keys = [this.#keys.room(id, "rec"), ...this.#history.roomKeys(id)];
      const existed = await this.#link.eval(DELETE_ROOM_SCRIPT, keys, []);
      await this.#index.remove(id);
      await this.#history.unlist(id);
      return existed === 1;
    });
  }

  /**
   * Rooms ordered by id, paged; index entries whose record is gone are skipped.
   *
   * @param options Prefix, page size and cursor.
   * @returns One page and the cursor of the next.
   */
  listRooms(options: ListRoomsOptions): Promise<RoomPage> {
    return this.#run("Cannot list rooms", () => {
      checkLimit("Cannot list rooms", options.limit);
      return this.#index.page(options, (id) => this.getRoom(id));
    });
  }

  /**
   * Ids of rooms due for cleanup (see `isRoomExpired`), ordered by id. Reads every
   * room's record (the janitor's periodic scan).
   *
   * @param now The current time.
   * @param emptyRoomTtlS The server-wide TTL of empty `auto` rooms, in seconds.
   * @returns Room ids.
   */
  listExpiredRooms(now: Date, emptyRoomTtlS: number): Promise<string[]> {
    return this.#run(
      "Cannot list expired rooms",
      () => this.#index.expired(now, emptyRoomTtlS, (id) => this.getRoom(id)),
    );
  }

  /**
   * Writes a batch, one publish-script run per message (in batch order, so each room's ids
   * follow its last in that order). Atomic per message, not per batch.
   *
   * @param messages Messages of any rooms.
   * @returns One result per message.
   */
  appendMessages(messages: NewMessage[]): Promise<AppendResult[]> {
    return this.#run(`Cannot append ${messages.length} messages`, async () => {
      const replies = await Promise.all(messages.map((m) => this.#history.publish(m, null)));
      return replies.map((reply): AppendResult =>
        reply.status === "conflict"
          ? { status: "conflict" }
          : reply.status === "duplicate"
          ? { status: "duplicate", id: reply.id, timestamp: new Date(reply.ts).toISOString() }
          : { status: "stored", id: reply.id }
      );
    });
  }

  /**
   * Stores and publishes one message for the broker (see `publish_lua.ts`).
   *
   * @param message The message.
   * @param origin The publishing node and its tag.
   * @returns The publish script's reply.
   */
  publish(message: NewMessage, origin: Origin): Promise<PublishReply> {
    return this.#run(
      `Cannot publish to room "${message.room_id}"`,
      () => this.#history.publish(message, origin),
    );
  }

  /** The store's history in Redis, for the broker (positions, epochs, raw entries). */
  get history(): RedisHistory {
    return this.#history;
  }

  /**
   * Reads history (see {@linkcode MessageStore.readMessages}).
   *
   * @param roomId Room id.
   * @param query Bounds and page size.
   * @returns Messages oldest first, and whether more lie beyond the page.
   */
  readMessages(roomId: string, query: HistoryQuery): Promise<HistoryPage> {
    const action = `Cannot read history of room "${roomId}"`;
    return this.#run(action, () => {
      checkLimit(action, query.limit);
      return this.#history.read(roomId, query);
    });
  }

  /**
   * The room's sequence state.
   *
   * @param roomId Room id.
   * @returns Zeros for a room never written.
   */
  getSequence(roomId: string): Promise<SequenceState> {
    return this.#run(
      `Cannot read the sequence of room "${roomId}"`,
      () => this.#history.sequence(roomId),
    );
  }

  /**
   * Removes messages stamped before `olderThan` in every room and raises `trimmed`.
   *
   * @param olderThan The cut-off time.
   * @returns Resolves once removed.
   */
  trimOlderThan(olderThan: Date): Promise<void> {
    return this.#run("Cannot trim history", () => this.#history.trimOlderThan(olderThan));
  }

  /**
   * Writes a tiny key: succeeds only while Redis accepts writes.
   *
   * @returns Rejects with a {@linkcode StoreError} otherwise.
   */
  probeWrite(): Promise<void> {
    const probe = this.#keys.global("probe");
    return this.#run("Cannot write to Redis", async () => {
      await this.#link.command(["SET", probe, String(Date.now())], probe);
    });
  }

  /**
   * Resolves while Redis answers.
   *
   * @returns Rejects with a {@linkcode StoreError} otherwise.
   */
  ping(): Promise<void> {
    return this.#run("Cannot reach Redis", async () => {
      await this.#link.command(["PING"]);
    });
  }

  /**
   * Refuses every later call; the link stays open (the engine closes it).
   *
   * @returns Resolves at once.
   */
  close(): Promise<void> {
    this.#closed = true;
    return Promise.resolve();
  }

  async #run<T>(action: string, body: () => Promise<T>): Promise<T> {
    if (this.#closed) throw new StoreError(`${action}: store is closed`);
    try {
      return await body();
    } catch (error) {
      if (error instanceof RangeError || error instanceof StoreError) throw error;
      throw StoreError.from(action, error);
    }
  }
}
