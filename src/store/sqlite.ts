/**
 * The SQLite {@linkcode Store}: one file, `<dataDir>/roomd.db`, through `node:sqlite`.
 *
 * @module
 */
import { DatabaseSync } from "node:sqlite";
import { join } from "node:path";
import {
  migrate,
  prepareStatements,
  roomParams,
  type Row,
  type Statements,
  toMessage,
  toRoom,
} from "./_sqlite_schema.ts";
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
  type RoomOrigin,
  type RoomPage,
  type RoomPatch,
  type RoomRecord,
  type SequenceState,
  type Store,
} from "./types.ts";

/** Options of {@linkcode SqliteStore.open}. */
export interface SqliteStoreOptions {
  /** Directory of `roomd.db`; created when missing. */
  dataDir: string;
  /** About this many newest messages kept per room (0 = unlimited; see {@linkcode mustTrim}). */
  historySize: number;
}

/** Upper bound of every room id (all ids are ASCII), and of ids that start with a prefix. */
const AFTER_ALL = "\u{10FFFF}";

/**
 * A {@linkcode Store} over one SQLite file in WAL mode. All work is synchronous under the hood
 * (`DatabaseSync`); each method finishes before it returns its promise, so no two calls ever
 * interleave. Failures reject with a one-line {@linkcode StoreError}.
 *
 * @example Opening a store in a fresh directory
 * ```ts
 * import { SqliteStore, type SqliteStoreOptions } from "./sqlite.ts";
 *
 * const options: SqliteStoreOptions = { dataDir: await Deno.makeTempDir(), historySize: 1000 };
 * const store = SqliteStore.open(options);
 * await store.ping();
 * await store.close();
 * await Deno.remove(options.dataDir, { recursive: true });
 * ```
 */
export class SqliteStore implements Store {
  readonly #db: DatabaseSync;
  readonly #path: string;
  readonly #inode: number | null;
  readonly #historySize: number;
  readonly #sql: Statements;
  /** Messages held per room, once counted: retention then needs no scan of the history. */
  readonly #held = new Map<string, number>();
  /** The last id written per room, once read: a commit then reads nothing to number its batch. */
  readonly #lastIds = new Map<string, number>();
  /** Message time (ms) after which the next commit drops expired dedupe keys. */
  #nextPurge = -Infinity;
  #closed = false;

  private constructor(db: DatabaseSync, path: string, historySize: number) {
    this.#db = db;
    this.#path = path;
    this.#inode = Deno.statSync(path).ino;
    this.#historySize = historySize;
    this.#sql = prepareStatements(db);
  }

  /**
   * Opens (creating and migrating when needed) `<dataDir>/roomd.db`.
   *
   * @param options Data directory and retention.
   * @returns The open store.
   * @throws {StoreError} When the directory cannot be created or the file is not a usable
   * database, e.g. `Cannot open database ./data/roomd.db: file is not a database`.
   */
  static open(options: SqliteStoreOptions): SqliteStore {
    try {
      Deno.mkdirSync(options.dataDir, { recursive: true });
    } catch (err) {
      throw StoreError.from(`Cannot create data directory ${options.dataDir}`, err);
    }
    const path = join(options.dataDir, "roomd.db");
    let db: DatabaseSync | undefined;
    try {
      db = new DatabaseSync(path);
      // WAL with synchronous=NORMAL: a commit is in the WAL file (written, not yet fsynced)
      // when COMMIT returns, so it survives kill -9 of this process; only an OS crash or power
      // loss can lose the last commits, and never corrupts the file.
      db.exec(`PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;
        PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON;`);
      migrate(db, path);
      // Rooms that were occupied when the last process died have nobody in them now: their
      // empty-room TTL starts at this start-up, or they would never be cleaned up.
      db.prepare("UPDATE rooms SET empty_since = ? WHERE empty_since IS NULL")
        .run(new Date().toISOString());
      return new SqliteStore(db, path, options.historySize);
    } catch (err) {
      if (db?.isOpen) db.close();
      if (err instanceof StoreError) throw err;
      const raw = err instanceof Error ? err.message : String(err);
      const reason = raw.endsWith(`: ${path}`) ? raw.slice(0, -path.length - 2) : raw;
      const line = StoreError.from(`Cannot open database ${path}`, reason).message;
      throw new StoreError(line, { cause: err });
    }
  }

  /**
   * The room, or `null` when there is none.
   *
   * @param id Room id.
   * @returns The stored record.
   */
  getRoom(id: string): Promise<RoomRecord | null> {
    return this.#run(`Cannot read room "${id}"`, () => {
      const row = this.#sql.getRoom.get(id);
      return row ? toRoom(row) : null;
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
      return this.#sql.insertRoom.run(roomParams(room)).changes > 0;
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
      const row = this.#sql.getRoom.get(id);
      if (!row) return null;
      const params = roomParams(applyRoomPatch(toRoom(row), patch));
      // Columns a patch cannot touch are not parameters of the UPDATE.
      const { origin: _o, epoch: _e, created_at: _c, created_by: _b, ...changed } = params;
      this.#sql.updateRoom.run(changed);
      return toRoom(this.#sql.getRoom.get(id) as Row);
    });
  }

  /**
   * Deletes the room, its history, its sequence state and its dedupe keys in one transaction.
   *
   * @param id Room id.
   * @returns `false` when there was no such room.
   */
  deleteRoom(id: string): Promise<boolean> {
    return this.#run(`Cannot delete room "${id}"`, () =>
      this.#transaction(() => {
        this.#held.delete(id);
        this.#lastIds.delete(id);
        this.#sql.deleteHistory.run(id);
        this.#sql.deleteSequence.run(id);
        this.#sql.deleteKeys.run(id);
        return this.#sql.deleteRoom.run(id).changes > 0;
      }));
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
      // `cursor + "\0"` is the smallest string greater than the cursor.
      const after = options.cursor === undefined ? "" : `${options.cursor}\0`;
      const from = after > prefix ? after : prefix;
      const rows = this.#sql.listRooms.all(from, prefix + AFTER_ALL, options.limit + 1);
      const rooms = rows.slice(0, options.limit).map(toRoom);
      const more = rows.length > options.limit;
      return { rooms, next_cursor: more ? rooms[rooms.length - 1].id : null };
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
      this.#sql.expiryCandidates.all()
        .map((row) => ({
          id: row.id as string,
          empty_since: row.empty_since as string,
          ttl_s: row.ttl_s as number | null,
          origin: row.origin as RoomOrigin,
        }))
        .filter((room) => isRoomExpired(room, now, emptyRoomTtlS))
        .map((room) => room.id));
  }

  /**
   * Writes a batch in one transaction (see {@linkcode MessageStore.appendMessages}): each
   * room's messages get the ids after its last written id, dedupe keys are checked and stored
   * with their messages, then each room of the batch that holds too many is trimmed back to its
   * newest `historySize` (see {@linkcode mustTrim}), raising `trimmed`.
   *
   * @param messages Messages of any rooms.
   * @returns One result per message, once committed.
   */
  appendMessages(messages: NewMessage[]): Promise<AppendResult[]> {
    return this.#run(`Cannot append ${messages.length} messages`, () => {
      if (messages.length === 0) return [];
      const now = Date.parse(messages[messages.length - 1].timestamp);
      const [results, held, last] = this.#transaction(() => {
        const last = new Map<string, { id: number; count: number }>();
        const results = messages.map((m) => this.#insert(m, last));
        const held = new Map<string, number>();
        for (const [roomId, { count }] of last) {
          if (count > 0 && this.#historySize > 0) held.set(roomId, this.#retain(roomId, count));
        }
        if (now >= this.#nextPurge) {
          this.#nextPurge = now + 60_000;
          this.#sql.purgeKeys.run(now);
        }
        return [results, held, last] as const;
      });
      for (const [roomId, count] of held) this.#held.set(roomId, count);
      for (const [roomId, { id }] of last) this.#lastIds.set(roomId, id);
      return results;
    });
  }

  /** Writes one message of a batch unless its dedupe key is held; `last` tracks ids by room. */
  #insert(m: NewMessage, last: Map<string, { id: number; count: number }>): AppendResult {
    const { dedupe } = m;
    if (dedupe) {
      const key = this.#sql.getKey.get(m.room_id, dedupe.key);
      if (key && Number(key.expires_at) > Date.parse(m.timestamp)) {
        if (key.fingerprint !== dedupe.fingerprint) return { status: "conflict" };
        const timestamp = key.timestamp as string;
        return { status: "duplicate", id: Number(key.message_id), timestamp };
      }
    }
    let room = last.get(m.room_id);
    if (room === undefined) {
      room = { id: this.#lastIds.get(m.room_id) ?? this.#readLastId(m.room_id), count: 0 };
      last.set(m.room_id, room);
    }
    const id = ++room.id;
    room.count++;
    this.#sql.insertMessage.run(m.room_id, id, m.type, m.user_id, m.data_json, m.timestamp);
    if (dedupe) {
      const { key, fingerprint, expires_at } = dedupe;
      this.#sql.putKey.run(m.room_id, key, fingerprint, id, m.timestamp, expires_at);
    }
    return { status: "stored", id };
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
      const since = query.since ?? Number.MIN_SAFE_INTEGER;
      const forward = query.since !== undefined && query.before === undefined;
      const rows = forward
        ? this.#sql.readAfter.all(roomId, since, query.limit + 1)
        : this.#sql.readBefore.all(
          roomId,
          since,
          query.before ?? Number.MAX_SAFE_INTEGER,
          query.limit + 1,
        );
      const page = rows.slice(0, query.limit);
      if (!forward) page.reverse();
      const has_more = rows.length > query.limit;
      return { messages: page.map(toMessage), has_more };
    });
  }

  /**
   * The room's sequence state.
   *
   * @param roomId Room id.
   * @returns Zeros for a room never written.
   */
  getSequence(roomId: string): Promise<SequenceState> {
    return this.#run(`Cannot read the sequence of room "${roomId}"`, () => {
      const row = this.#sql.getTrimmed.get(roomId);
      return { last_id: this.#readLastId(roomId), trimmed: Number(row?.trimmed ?? 0) };
    });
  }

  /**
   * Rewrites one row in a transaction of its own: succeeds only while the file accepts writes.
   *
   * @returns Resolves once committed.
   */
  probeWrite(): Promise<void> {
    return this.#run(`Cannot write to database ${this.#path}`, () => {
      this.#transaction(() => this.#sql.probe.run(new Date().toISOString()));
    });
  }

  /**
   * Removes messages whose `timestamp` is before `olderThan` (timestamps compare as canonical
   * ISO strings, as `Date.prototype.toISOString` writes them) and raises `trimmed`. Scans the
   * whole table: meant for a periodic job, not the hot path.
   *
   * @param olderThan The cut-off time.
   * @returns Resolves once committed.
   */
  trimOlderThan(olderThan: Date): Promise<void> {
    return this.#run("Cannot trim history", () => {
      const cutoff = olderThan.toISOString();
      this.#held.clear();
      this.#transaction(() => {
        this.#sql.raiseTrimmedOlderThan.run(cutoff);
        this.#sql.trimOlderThan.run(cutoff);
      });
    });
  }

  /**
   * Checks that the store is open, that the file at its path is still the one opened (same
   * inode) and that the database answers `SELECT 1`.
   *
   * @returns Rejects with a {@linkcode StoreError} naming the reason otherwise.
   */
  async ping(): Promise<void> {
    const action = `Cannot ping database ${this.#path}`;
    if (this.#closed) throw new StoreError(`${action}: store is closed`);
    let inode: number | null;
    try {
      inode = (await Deno.stat(this.#path)).ino;
    } catch (err) {
      if (err instanceof Deno.errors.NotFound) {
        throw new StoreError(`${action}: the file no longer exists`, { cause: err });
      }
      throw StoreError.from(action, err);
    }
    if (inode !== this.#inode) {
      throw new StoreError(`${action}: the file was replaced (inode ${this.#inode}, now ${inode})`);
    }
    await this.#run(action, () => this.#sql.ping.get());
  }

  /**
   * Closes the database (checkpointing the WAL); later calls reject. Closing twice is harmless.
   *
   * @returns Resolves once closed.
   */
  close(): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      this.#db.close();
    }
    return Promise.resolve();
  }

  /**
   * Trims the room back to its newest `historySize` messages when it holds too many
   * ({@linkcode mustTrim}); raises `trimmed`. The count is read once per room, then kept up to
   * date, so the cut is found among the oldest rows. Returns how many messages the room holds
   * now, to remember once committed.
   */
  #retain(roomId: string, added: number): number {
    const known = this.#held.get(roomId);
    const held = known === undefined
      ? Number(this.#sql.countMessages.get(roomId)!.n)
      : known + added;
    if (!mustTrim(held, this.#historySize)) return held;
    const excess = held - this.#historySize;
    const cut = Number(this.#sql.nthOldest.get(roomId, excess - 1)!.id);
    this.#sql.trimUpTo.run(roomId, cut);
    this.#sql.raiseTrimmed.run(roomId, cut);
    return this.#historySize;
  }

  #readLastId(roomId: string): number {
    return Number(this.#sql.lastId.get(roomId)?.last ?? 0);
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

  #transaction<T>(body: () => T): T {
    this.#db.exec("BEGIN IMMEDIATE");
    try {
      const result = body();
      this.#db.exec("COMMIT");
      return result;
    } catch (err) {
      if (this.#db.isTransaction) this.#db.exec("ROLLBACK");
      throw err;
    }
  }
}

function checkLimit(action: string, limit: number): void {
  if (!Number.isInteger(limit) || limit < 1) {
    throw new RangeError(`${action}: limit must be a positive integer (got ${limit})`);
  }
}
