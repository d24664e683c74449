/**
 * An in-process {@linkcode Store}: the semantics of the SQLite engine without a file, for unit
 * tests and for `ROOMD_STORE=memory`. Nothing survives a restart.
 *
 * @module
 */
import { StoreError } from "./store_error.ts";
import {
  type AppendResult,
  applyRoomPatch,
  type HistoryPage,
  type HistoryQuery,
  isRoomExpired,
  type ListRoomsOptions,
  mustTrim,
  type NewMessage,
  type RetentionOptions,
  type RoomPage,
  type RoomPatch,
  type RoomRecord,
  type SequenceState,
  type SerializedMessage,
  type Store,
  type StoredMessage,
} from "./types.ts";

/** A dedupe key as held: its request's fingerprint and the message it published. */
interface HeldKey {
  fingerprint: string;
  expires_at: number;
  id: number;
  timestamp: string;
}

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
  readonly #historySize: number;
  readonly #rooms = new Map<string, RoomRecord>();
  /** Per room, sorted by id. */
  readonly #messages = new Map<string, SerializedMessage[]>();
  readonly #sequences = new Map<string, SequenceState>();
  /** Dedupe keys per room. */
  readonly #keys = new Map<string, Map<string, HeldKey>>();
  #nextPurge = -Infinity;
  #closed = false;

  /**
   * Creates an empty store.
   *
   * @param options Retention: about the newest `historySize` messages kept per room (0 =
   *   unlimited; see {@linkcode mustTrim}).
   */
  constructor(options: RetentionOptions = { historySize: 0 }) {
    this.#historySize = options.historySize;
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
      this.#messages.delete(id);
      this.#sequences.delete(id);
      this.#keys.delete(id);
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
    return this.#run(`Cannot append ${messages.length} messages`, () => {
      const results: AppendResult[] = [];
      const touched = new Set<string>();
      for (const message of messages) {
        const result = this.#append(message);
        results.push(result);
        if (result.status === "stored") touched.add(message.room_id);
      }
      for (const roomId of touched) this.#retain(roomId);
      if (messages.length > 0) this.#purgeKeys(Date.parse(messages[messages.length - 1].timestamp));
      return results;
    });
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
      const stored = this.#messages.get(roomId) ?? [];
      const from = lowerBound(stored, query.since ?? -Infinity, true);
      const to = lowerBound(stored, query.before ?? Infinity, false);
      const count = Math.max(0, to - from);
      const page = query.since !== undefined && query.before === undefined
        ? stored.slice(from, from + query.limit)
        : stored.slice(Math.max(from, to - query.limit), to);
      return { messages: page.map(parseMessage), has_more: count > query.limit };
    });
  }

  /**
   * The room's sequence state.
   *
   * @param roomId Room id.
   * @returns Zeros for a room never written.
   */
  getSequence(roomId: string): Promise<SequenceState> {
    return this.#run(`Cannot read the sequence of room "${roomId}"`, () => ({
      ...(this.#sequences.get(roomId) ?? { last_id: 0, trimmed: 0 }),
    }));
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
    return this.#run("Cannot trim history", () => {
      const cutoff = olderThan.toISOString();
      for (const [roomId, stored] of this.#messages) {
        const kept = stored.filter((m) => m.timestamp >= cutoff);
        if (kept.length === stored.length) continue;
        const removed = stored.filter((m) => m.timestamp < cutoff);
        this.#raiseTrimmed(roomId, removed[removed.length - 1].id);
        this.#messages.set(roomId, kept);
      }
    });
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
    this.#messages.clear();
    this.#sequences.clear();
    this.#keys.clear();
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

  #append(message: NewMessage): AppendResult {
    const roomId = message.room_id;
    const { dedupe } = message;
    let keys: Map<string, HeldKey> | undefined;
    if (dedupe) {
      keys = this.#keys.get(roomId);
      const held = keys?.get(dedupe.key);
      if (held && held.expires_at > Date.parse(message.timestamp)) {
        if (held.fingerprint !== dedupe.fingerprint) return { status: "conflict" };
        return { status: "duplicate", id: held.id, timestamp: held.timestamp };
      }
    }
    const sequence = this.#sequence(roomId);
    const id = ++sequence.last_id;
    let stored = this.#messages.get(roomId);
    if (!stored) this.#messages.set(roomId, stored = []);
    stored.push({
      id,
      type: message.type,
      room_id: roomId,
      user_id: message.user_id,
      data_json: message.data_json,
      timestamp: message.timestamp,
    });
    if (dedupe) {
      if (!keys) this.#keys.set(roomId, keys = new Map());
      const { fingerprint, expires_at } = dedupe;
      keys.set(dedupe.key, { fingerprint, expires_at, id, timestamp: message.timestamp });
    }
    return { status: "stored", id };
  }

  #retain(roomId: string): void {
    const stored = this.#messages.get(roomId)!;
    if (!mustTrim(stored.length, this.#historySize)) return;
    const removed = stored.splice(0, stored.length - this.#historySize);
    this.#raiseTrimmed(roomId, removed[removed.length - 1].id);
  }

  /** Forgets expired keys, at most once a minute of message time. */
  #purgeKeys(now: number): void {
    if (!(now >= this.#nextPurge)) return;
    this.#nextPurge = now + 60_000;
    for (const [roomId, keys] of this.#keys) {
      for (const [key, held] of keys) if (held.expires_at <= now) keys.delete(key);
      if (keys.size === 0) this.#keys.delete(roomId);
    }
  }

  #sequence(roomId: string): SequenceState {
    let sequence = this.#sequences.get(roomId);
    if (!sequence) {
      sequence = { last_id: 0, trimmed: 0 };
      this.#sequences.set(roomId, sequence);
    }
    return sequence;
  }

  #raiseTrimmed(roomId: string, id: number): void {
    const sequence = this.#sequence(roomId);
    sequence.trimmed = Math.max(sequence.trimmed, id);
  }
}

function checkLimit(action: string, limit: number): void {
  if (!Number.isInteger(limit) || limit < 1) {
    throw new RangeError(`${action}: limit must be a positive integer (got ${limit})`);
  }
}

/** Orders ids by UTF-16 code units, which for room ids (ASCII) is SQLite's BINARY order. */
function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Index of the first message with `id > bound` (`exclusive`) or `id >= bound`. */
function lowerBound(sorted: SerializedMessage[], bound: number, exclusive: boolean): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    const id = sorted[mid].id;
    if (id < bound || (exclusive && id === bound)) low = mid + 1;
    else high = mid;
  }
  return low;
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

/** A held message (exactly the record's fields) as read back, its payload parsed. */
function parseMessage(message: SerializedMessage): StoredMessage {
  const { data_json, ...fields } = message;
  return { ...fields, data: JSON.parse(data_json) };
}

/** The value as it comes back from JSON text; `undefined` becomes `null`. */
function jsonCopy(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value ?? null));
}
