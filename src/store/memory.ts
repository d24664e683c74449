/**
 * An in-process {@linkcode Store}: the semantics of the SQLite engine without a file, for unit
 * tests and for `ROOMD_STORE=memory`. Nothing survives a restart.
 *
 * @module
 */
import { checkLimit } from "./_check_limit.ts";
import { MemoryHistory } from "./_memory_history.ts";
import { StoreError } from "./store_error.ts";
import {
  type AppendResult,
  applyRoomPatch,
  type HistoryPage,
  type HistoryQuery,
  isRoomExpired,
  type ListRoomsOptions,
  type NewMessage,
  type RetentionOptions,
  type RoomPage,
  type RoomPatch,
  type RoomRecord,
  type SequenceState,
  type Store,
} from "./types.ts";

/**
 * A {@linkcode Store} held in maps. Records go in and come out as copies, and message `data`
 * is round-tripped through JSON, exactly as the SQLite engine stores it.
 *
 * @example Creating and reading a room
 * ```ts
 * import assert from "assert";
 * import { MemoryStore } from "./memory.ts";
 *
 * const store = new MemoryStore({ historySize: 100 });
 * await store.createRoom({
 *   id: "lobby", name: "lobby", created_at: new Date().toISOString(), created_by: null,
 *   max_clients: 0, is_private: false, members: [], metadata: {}, ttl_s: null, origin: "api",
 *   epoch: "e1", msg_rate: null, msg_burst: null, presence: "full", empty_since: null,
 * });
 * assert.ok((await store.getRoom("lobby"))?.name === "lobby");
 * await store.close();
 * ```
 */
export class MemoryStore implements Store {
  readonly #rooms = new Map<string, RoomRecord>();
  readonly #history: MemoryHistory;
  #closed = false;

  /**
   * Creates an empty store.
   *
   * @param options Retention: about the newest `historySize` messages kept per room (0 =
   *   unlimited; see {@linkcode mustTrim}).
   */
  constructor(options: RetentionOptions = { historySize: 0 }) {
    this.#history = new MemoryHistory(options.historySize);
  }

  /**
   * The room, or `null` when there is none.
   *
   * @param id Room id.
   * @returns A copy of the stored record.
   */
  getRoom(id: string): Promise<RoomRecord | null> {
    return this.#run(`Cannot read room "${id}"`, () => {
      const room = this.#rooms.get(id);
      return room ? copyRoom(room) : null;
    });
  }

  /**
   * Stores a new room.
   *
   * @param room The record.
   * @returns `false` (and no change) when the id is taken.
   */
  createRoom(room: RoomRecord): Promise<boolean> {
    return this.#run(`Cannot create room "${room.id}"`, () => {
      if (this.#rooms.has(room.id)) return false;
      this.#rooms.set(room.id, copyRoom(room));
      return true;
    });
  }

  /**
   * Applies a patch (see {@linkcode applyRoomPatch}).
   *
   * @param id Room id.
   * @param patch The changes.
   * @returns The updated room, or `null` when there is none.
   */
  updateRoom(id: string, patch: RoomPatch): Promise<RoomRecord | null> {
    return this.#run(`Cannot update room "${id}"`, () => {
      const room = this.#rooms.get(id);
      if (!room) return null;
      const next = copyRoom(applyRoomPatch(room, patch));
      this.#rooms.set(id, next);
      return copyRoom(next);
    });
  }

  /**
   * Deletes the room, its history and its sequence state.
   *
   * @param id Room id.
   * @returns `false` when there was no such room.
   */
  deleteRoom(id: string): Promise<boolean> {
    return this.#run(`Cannot delete room "${id}"`, () => {
      this.#history.deleteRoom(id);
      return this.#rooms.delete(id);
    });
  }

  /**
   * Rooms ordered by id, paged.
   *
   * @param options Prefix, page size and cursor.
   * @returns One page and the cursor of the next.
   */
  listRooms(options: ListRoomsOptions): Promise<RoomPage> {
    return this.#run("Cannot list rooms", () => {
      checkLimit("Cannot list rooms", options.limit);
      const prefix = options.prefix ?? "";
      const after = options.cursor;
      const ids = [...this.#rooms.keys()]
        .filter((id) => id.startsWith(prefix) && (after === undefined || id > after))
        .sort(compareIds)
        .slice(0, options.limit + 1);
      const more = ids.length > options.limit;
      const page = more ? ids.slice(0, options.limit) : ids;
      return {
        rooms: page.map((id) => copyRoom(this.#rooms.get(id) as RoomRecord)),
        next_cursor: more ? page[page.length - 1] : null,
      };
    });
  }

  /**
   * Ids of rooms due for cleanup (see {@linkcode isRoomExpired}), ordered by id.
   *
   * @param now The current time.
   * @param emptyRoomTtlS The server-wide TTL of empty `auto` rooms, in seconds.
   * @returns Room ids.
   */
  listExpiredRooms(now: Date, emptyRoomTtlS: number): Promise<string[]> {
    return this.#run("Cannot list expired rooms", () =>
      [...this.#rooms.values()]
        .filter((room) => isRoomExpired(room, now, emptyRoomTtlS))
        .map((room) => room.id)
        .sort(compareIds));
  }

  /**
   * Writes a batch (see {@linkcode MessageStore.appendMessages}): ids after each room's last,
   * dedupe keys with their messages, then retention.
   *
   * @param messages Messages of any rooms.
   * @returns One result per message.
   */
  appendMessages(messages: NewMessage[]): Promise<AppendResult[]> {
    return this.#run(
      `Cannot append ${messages.length} messages`,
      () => this.#history.append(messages),
    );
  }

  /**
   * Reads history (see {@linkcode MessageStore.readMessages}).
   *
   * @param roomId Room id.
   * @param query Bounds and page size.
   * @returns Messages oldest first, and whether more lie beyond the page.
   */
  readMessages(roomId: string, query: HistoryQuery): Promise<HistoryPage> {
    return this.#run(`Cannot read history of room "${roomId}"`, () => {
      checkLimit(`Cannot read history of room "${roomId}"`, query.limit);
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
   * Always succeeds while the store is open: memory accepts writes.
   *
   * @returns Rejects with a {@linkcode StoreError} once closed.
   */
  probeWrite(): Promise<void> {
    return this.#run("Cannot probe the memory store", () => {});
  }

  /**
   * Removes messages whose `timestamp` is before `olderThan` (timestamps compare as canonical
   * ISO strings, as `Date.prototype.toISOString` writes them) and raises `trimmed`.
   *
   * @param olderThan The cut-off time.
   * @returns Resolves once removed.
   */
  trimOlderThan(olderThan: Date): Promise<void> {
    return this.#run("Cannot trim history", () => this.#history.trimOlderThan(olderThan));
  }

  /**
   * Resolves while the store is open.
   *
   * @returns Rejects with a {@linkcode StoreError} once closed.
   */
  ping(): Promise<void> {
    return this.#run("Cannot ping the memory store", () => {});
  }

  /**
   * Drops all data; later calls reject.
   *
   * @returns Resolves at once.
   */
  close(): Promise<void> {
    this.#closed = true;
    this.#rooms.clear();
    this.#history.clear();
    return Promise.resolve();
  }

  #run<T>(action: string, body: () => T): Promise<T> {
    if (this.#closed) return Promise.reject(new StoreError(`${action}: store is closed`));
    try {
      return Promise.resolve(body());
    } catch (err) {
      if (err instanceof RangeError) return Promise.reject(err);
      return Promise.reject(StoreError.from(action, err));
    }
  }
}

/** Orders ids by UTF-16 code units, which for room ids (ASCII) is SQLite's BINARY order. */
function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function copyRoom(room: RoomRecord): RoomRecord {
  return {
    id: room.id,
    name: room.name,
    created_at: room.created_at,
    created_by: room.created_by,
    max_clients: room.max_clients,
    is_private: room.is_private,
    members: [...room.members],
    metadata: jsonCopy(room.metadata) as Record<string, unknown>,
    ttl_s: room.ttl_s,
    origin: room.origin,
    epoch: room.epoch,
    msg_rate: room.msg_rate,
    msg_burst: room.msg_burst,
    presence: room.presence,
    empty_since: room.empty_since,
  };
}

/** The value as it comes back from JSON text; `undefined` becomes `null`. */
function jsonCopy(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value ?? null));
}
