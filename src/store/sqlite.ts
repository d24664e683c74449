/**
 * The SQLite {@linkcode Store}: one file, `<dataDir>/roomd.db`, through `node:sqlite`.
 *
 * @module
 */
import type { DatabaseSync } from "node:sqlite";
import { checkLimit } from "./_check_limit.ts";
import { SqliteHistory } from "./_sqlite_history.ts";
import { Checkpointer } from "./_sqlite_checkpointer.ts";
import { type OpenDatabase, openDatabase } from "./_sqlite_open.ts";
import { roomParams, type Row, type Statements, toRoom } from "./_sqlite_schema.ts";
import { transaction } from "./_sqlite_transaction.ts";
import { StoreError } from "./store_error.ts";
import {
  type AppendResult,
  applyRoomPatch,
  type HistoryPage,
  type HistoryQuery,
  isRoomExpired,
  type ListRoomsOptions,
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
  /** Checkpoint the WAL from a worker thread, off the event loop (`_sqlite_checkpointer.ts`). */
  backgroundCheckpoints?: boolean;
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
  readonly #sql: Statements;
  readonly #history: SqliteHistory;
  readonly #checkpointer: Checkpointer | null;
  #closed = false;

  private constructor(open: OpenDatabase, historySize: number, backgroundCheckpoints: boolean) {
    this.#db = open.db;
    this.#path = open.path;
    this.#inode = open.inode;
    this.#sql = open.sql;
    this.#history = new SqliteHistory(open.db, open.sql, historySize);
    this.#checkpointer = backgroundCheckpoints ? Checkpointer.start(open.db, open.path) : null;
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
    const open = openDatabase(options.dataDir);
    return new SqliteStore(open, options.historySize, options.backgroundCheckpoints ?? false);
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
      transaction(this.#db, this.#sql, () => {
        this.#history.deleteRoom(id);
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
   * Rewrites one row in a transaction of its own: succeeds only while the file accepts writes.
   *
   * @returns Resolves once committed.
   */
  probeWrite(): Promise<void> {
    return this.#run(`Cannot write to database ${this.#path}`, () => {
      transaction(this.#db, this.#sql, () => this.#sql.probe.run(new Date().toISOString()));
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
    return this.#run("Cannot trim history", () => this.#history.trimOlderThan(olderThan));
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
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#checkpointer?.stop();
    this.#db.close();
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
