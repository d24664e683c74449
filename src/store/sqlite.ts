/**
 * The SQLite {@linkcode Store}: one file, `<dataDir>/roomd.db`, through `node:sqlite`.
 *
 * @module
 */
import { DatabaseSync, type SQLOutputValue, type StatementSync } from "node:sqlite";
import { join } from "node:path";
import { StoreError } from "./store_error.ts";
import {
  applyRoomPatch,
  type HistoryPage,
  type HistoryQuery,
  isRoomExpired,
  type ListRoomsOptions,
  type RoomOrigin,
  type RoomPage,
  type RoomPatch,
  type RoomRecord,
  type SequenceState,
  type Store,
  type StoredMessage,
} from "./types.ts";

/** Options of {@linkcode SqliteStore.open}. */
export interface SqliteStoreOptions {
  /** Directory of `roomd.db`; created when missing. */
  dataDir: string;
  /** Newest messages kept per room (0 = unlimited). */
  historySize: number;
}

/** Schema changes in order; entry `i` takes the schema from version `i` to `i + 1`. */
const MIGRATIONS: readonly string[] = [
  `CREATE TABLE rooms (
     id TEXT PRIMARY KEY NOT NULL, name TEXT NOT NULL, created_at TEXT NOT NULL,
     created_by TEXT, max_clients INTEGER NOT NULL, is_private INTEGER NOT NULL,
     members TEXT NOT NULL, metadata TEXT NOT NULL, ttl_s REAL,
     origin TEXT NOT NULL CHECK (origin IN ('api', 'auto')), epoch TEXT NOT NULL,
     msg_rate REAL, msg_burst INTEGER, empty_since TEXT
   ) WITHOUT ROWID;
   CREATE TABLE messages (
     room_id TEXT NOT NULL, id INTEGER NOT NULL, type TEXT NOT NULL, user_id TEXT,
     data TEXT NOT NULL, timestamp TEXT NOT NULL, PRIMARY KEY (room_id, id)
   ) WITHOUT ROWID;
   CREATE TABLE sequences (
     room_id TEXT PRIMARY KEY NOT NULL, reserved INTEGER NOT NULL, trimmed INTEGER NOT NULL
   ) WITHOUT ROWID;`,
];

const ROOM_COLUMNS = "id, name, created_at, created_by, max_clients, is_private, members, " +
  "metadata, ttl_s, origin, epoch, msg_rate, msg_burst, empty_since";
const MESSAGE_COLUMNS = "room_id, id, type, user_id, data, timestamp";

const SQL = {
  getRoom: `SELECT ${ROOM_COLUMNS} FROM rooms WHERE id = ?`,
  insertRoom: `INSERT INTO rooms (${ROOM_COLUMNS}) VALUES (:id, :name, :created_at, :created_by,
    :max_clients, :is_private, :members, :metadata, :ttl_s, :origin, :epoch, :msg_rate,
    :msg_burst, :empty_since) ON CONFLICT (id) DO NOTHING`,
  updateRoom: `UPDATE rooms SET name = :name, max_clients = :max_clients,
    is_private = :is_private, members = :members, metadata = :metadata, ttl_s = :ttl_s,
    msg_rate = :msg_rate, msg_burst = :msg_burst, empty_since = :empty_since WHERE id = :id`,
  deleteRoom: "DELETE FROM rooms WHERE id = ?",
  deleteHistory: "DELETE FROM messages WHERE room_id = ?",
  deleteSequence: "DELETE FROM sequences WHERE room_id = ?",
  listRooms: `SELECT ${ROOM_COLUMNS} FROM rooms WHERE id >= ? AND id < ? ORDER BY id LIMIT ?`,
  expiryCandidates: `SELECT id, empty_since, ttl_s, origin FROM rooms
    WHERE empty_since IS NOT NULL AND (ttl_s IS NOT NULL OR origin = 'auto') ORDER BY id`,
  insertMessage: `INSERT INTO messages (${MESSAGE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)`,
  readAfter: `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE room_id = ? AND id > ?
    ORDER BY id LIMIT ?`,
  readBefore: `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE room_id = ? AND id > ? AND id < ?
    ORDER BY id DESC LIMIT ?`,
  retentionCut: "SELECT id FROM messages WHERE room_id = ? ORDER BY id DESC LIMIT 1 OFFSET ?",
  trimUpTo: "DELETE FROM messages WHERE room_id = ? AND id <= ?",
  raiseTrimmed: "UPDATE sequences SET trimmed = max(trimmed, ?) WHERE room_id = ?",
  raiseTrimmedOlderThan: `UPDATE sequences SET trimmed = max(sequences.trimmed, old.top)
    FROM (SELECT room_id, max(id) AS top FROM messages WHERE timestamp < ? GROUP BY room_id) AS old
    WHERE sequences.room_id = old.room_id`,
  trimOlderThan: "DELETE FROM messages WHERE timestamp < ?",
  getSequence: "SELECT reserved, trimmed FROM sequences WHERE room_id = ?",
  reserve: `INSERT INTO sequences (room_id, reserved, trimmed) VALUES (?, ?, 0)
    ON CONFLICT (room_id) DO UPDATE SET reserved = max(reserved, excluded.reserved)`,
  syncFull: "PRAGMA synchronous = FULL",
  syncNormal: "PRAGMA synchronous = NORMAL",
  ping: "SELECT 1",
} as const;

type Statements = Record<keyof typeof SQL, StatementSync>;
type Row = Record<string, SQLOutputValue>;

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
  #closed = false;

  private constructor(db: DatabaseSync, path: string, historySize: number) {
    this.#db = db;
    this.#path = path;
    this.#inode = Deno.statSync(path).ino;
    this.#historySize = historySize;
    const entries = Object.entries(SQL).map(([name, sql]) => [name, db.prepare(sql)]);
    this.#sql = Object.fromEntries(entries) as Statements;
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
      return new SqliteStore(db, path, options.historySize);
    } catch (err) {
      if (db?.isOpen) db.close();
      if (err instanceof StoreError) throw err;
      const reason = err instanceof Error ? err.message.replace(`: ${path}`, "") : err;
      throw new StoreError(`Cannot open database ${path}: ${reason}`, { cause: err });
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
      const { origin: _o, epoch: _e, created_at: _c, created_by: _b, ...changed } = params;
      this.#sql.updateRoom.run(changed);
      return toRoom(this.#sql.getRoom.get(id) as Row);
    });
  }

  /**
   * Deletes the room, its history and its sequence state in one transaction.
   *
   * @param id Room id.
   * @returns `false` when there was no such room.
   */
  deleteRoom(id: string): Promise<boolean> {
    return this.#run(`Cannot delete room "${id}"`, () =>
      this.#transaction(() => {
        this.#sql.deleteHistory.run(id);
        this.#sql.deleteSequence.run(id);
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
   * Writes a batch in one transaction (a duplicate `(room_id, id)` rejects the whole batch),
   * raises each room's `reserved` to its highest id written, then keeps the newest
   * `historySize` messages of each room in the batch, raising `trimmed` to the highest id
   * removed.
   *
   * @param messages Messages of any rooms.
   * @returns Resolves once committed.
   */
  appendMessages(messages: StoredMessage[]): Promise<void> {
    return this.#run(`Cannot append ${messages.length} messages`, () => {
      if (messages.length === 0) return;
      this.#transaction(() => {
        const top = new Map<string, number>();
        for (const m of messages) {
          const data = JSON.stringify(m.data ?? null);
          this.#sql.insertMessage.run(m.room_id, m.id, m.type, m.user_id, data, m.timestamp);
          top.set(m.room_id, Math.max(top.get(m.room_id) ?? m.id, m.id));
        }
        for (const [roomId, id] of top) {
          this.#sql.reserve.run(roomId, id);
          if (this.#historySize > 0) this.#retain(roomId);
        }
      });
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
      const row = this.#sql.getSequence.get(roomId);
      return { reserved: Number(row?.reserved ?? 0), trimmed: Number(row?.trimmed ?? 0) };
    });
  }

  /**
   * Raises the room's reserved id (never lowers it). This one commit is fsynced
   * (`synchronous=FULL`), so a reservation survives even power loss and ids are never reused.
   *
   * @param roomId Room id.
   * @param reserved The new highest reserved id.
   * @returns Resolves once durable.
   */
  reserveSequence(roomId: string, reserved: number): Promise<void> {
    return this.#run(`Cannot reserve ids up to ${reserved} in room "${roomId}"`, () => {
      this.#sql.syncFull.run();
      try {
        this.#sql.reserve.run(roomId, reserved);
      } finally {
        this.#sql.syncNormal.run();
      }
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

  /** Deletes all but the newest `historySize` messages of the room; raises `trimmed`. */
  #retain(roomId: string): void {
    const cut = this.#sql.retentionCut.get(roomId, this.#historySize);
    if (!cut) return;
    this.#sql.trimUpTo.run(roomId, cut.id);
    this.#sql.raiseTrimmed.run(cut.id, roomId);
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

/** Applies the migrations the file lacks, all in one transaction. */
function migrate(db: DatabaseSync, path: string): void {
  db.exec("BEGIN IMMEDIATE");
  try {
    db.exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)");
    const row = db.prepare("SELECT max(version) AS version FROM schema_version").get();
    const current = Number(row?.version ?? 0);
    if (current > MIGRATIONS.length) {
      throw new StoreError(
        `Cannot open database ${path}: schema version ${current} is newer than this roomd ` +
          `supports (${MIGRATIONS.length})`,
      );
    }
    for (const sql of MIGRATIONS.slice(current)) db.exec(sql);
    if (current < MIGRATIONS.length) {
      db.exec("DELETE FROM schema_version");
      db.prepare("INSERT INTO schema_version (version) VALUES (?)").run(MIGRATIONS.length);
    }
    db.exec("COMMIT");
  } catch (err) {
    if (db.isTransaction) db.exec("ROLLBACK");
    throw err;
  }
}

function checkLimit(action: string, limit: number): void {
  if (!Number.isInteger(limit) || limit < 1) {
    throw new RangeError(`${action}: limit must be a positive integer (got ${limit})`);
  }
}

function roomParams(room: RoomRecord): Record<string, string | number | null> {
  return {
    id: room.id,
    name: room.name,
    created_at: room.created_at,
    created_by: room.created_by,
    max_clients: room.max_clients,
    is_private: room.is_private ? 1 : 0,
    members: JSON.stringify(room.members),
    metadata: JSON.stringify(room.metadata),
    ttl_s: room.ttl_s,
    origin: room.origin,
    epoch: room.epoch,
    msg_rate: room.msg_rate,
    msg_burst: room.msg_burst,
    empty_since: room.empty_since,
  };
}

function toRoom(row: Row): RoomRecord {
  return {
    id: row.id as string,
    name: row.name as string,
    created_at: row.created_at as string,
    created_by: row.created_by as string | null,
    max_clients: row.max_clients as number,
    is_private: row.is_private === 1,
    members: JSON.parse(row.members as string),
    metadata: JSON.parse(row.metadata as string),
    ttl_s: row.ttl_s as number | null,
    origin: row.origin as RoomOrigin,
    epoch: row.epoch as string,
    msg_rate: row.msg_rate as number | null,
    msg_burst: row.msg_burst as number | null,
    empty_since: row.empty_since as string | null,
  };
}

function toMessage(row: Row): StoredMessage {
  return {
    id: row.id as number,
    type: row.type as string,
    room_id: row.room_id as string,
    user_id: row.user_id as string | null,
    data: JSON.parse(row.data as string),
    timestamp: row.timestamp as string,
  };
}
