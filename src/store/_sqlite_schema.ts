/**
 * The SQLite schema of {@linkcode SqliteStore}: migrations, the statements run against it, and
 * how records map to rows. Private to the `_sqlite*.ts` and `sqlite.ts` modules.
 *
 * @module
 */
import type { DatabaseSync, SQLOutputValue, StatementSync } from "node:sqlite";
import { StoreError } from "./store_error.ts";
import type { PresenceMode, RoomOrigin, RoomRecord, StoredMessage } from "./types.ts";

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
  `ALTER TABLE rooms ADD COLUMN presence TEXT NOT NULL DEFAULT 'full'
     CHECK (presence IN ('full', 'count', 'off'));`,
  // Dedupe keys (Idempotency-Key, client message ids), written with their messages; `probe`
  // is the row the writer rewrites to find out whether writes succeed again.
  `CREATE TABLE dedupe (
     room_id TEXT NOT NULL, key TEXT NOT NULL, fingerprint TEXT NOT NULL,
     message_id INTEGER NOT NULL, timestamp TEXT NOT NULL, expires_at INTEGER NOT NULL,
     PRIMARY KEY (room_id, key)
   ) WITHOUT ROWID;
   CREATE INDEX dedupe_expiry ON dedupe (expires_at);
   CREATE TABLE probe (id INTEGER PRIMARY KEY NOT NULL, at TEXT NOT NULL);`,
];

const ROOM_COLUMNS = "id, name, created_at, created_by, max_clients, is_private, members, " +
  "metadata, ttl_s, origin, epoch, msg_rate, msg_burst, presence, empty_since";
const MESSAGE_COLUMNS = "room_id, id, type, user_id, data, timestamp";

const SQL = {
  // Prepared like the rest: `exec` would parse them on every commit (see `transaction`).
  begin: "BEGIN IMMEDIATE",
  commit: "COMMIT",
  rollback: "ROLLBACK",
  getRoom: `SELECT ${ROOM_COLUMNS} FROM rooms WHERE id = ?`,
  insertRoom: `INSERT INTO rooms (${ROOM_COLUMNS}) VALUES (:id, :name, :created_at, :created_by,
    :max_clients, :is_private, :members, :metadata, :ttl_s, :origin, :epoch, :msg_rate,
    :msg_burst, :presence, :empty_since) ON CONFLICT (id) DO NOTHING`,
  updateRoom: `UPDATE rooms SET name = :name, max_clients = :max_clients,
    is_private = :is_private, members = :members, metadata = :metadata, ttl_s = :ttl_s,
    msg_rate = :msg_rate, msg_burst = :msg_burst, presence = :presence,
    empty_since = :empty_since WHERE id = :id`,
  deleteRoom: "DELETE FROM rooms WHERE id = ?",
  deleteHistory: "DELETE FROM messages WHERE room_id = ?",
  deleteSequence: "DELETE FROM sequences WHERE room_id = ?",
  deleteKeys: "DELETE FROM dedupe WHERE room_id = ?",
  listRooms: `SELECT ${ROOM_COLUMNS} FROM rooms WHERE id >= ? AND id < ? ORDER BY id LIMIT ?`,
  expiryCandidates: `SELECT id, empty_since, ttl_s, origin FROM rooms
    WHERE empty_since IS NOT NULL AND (ttl_s IS NOT NULL OR origin = 'auto') ORDER BY id`,
  insertMessage: `INSERT INTO messages (${MESSAGE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)`,
  readAfter: `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE room_id = ? AND id > ?
    ORDER BY id LIMIT ?`,
  readBefore: `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE room_id = ? AND id > ? AND id < ?
    ORDER BY id DESC LIMIT ?`,
  countMessages: "SELECT count(*) AS n FROM messages WHERE room_id = ?",
  nthOldest: "SELECT id FROM messages WHERE room_id = ? ORDER BY id LIMIT 1 OFFSET ?",
  trimUpTo: "DELETE FROM messages WHERE room_id = ? AND id <= ?",
  raiseTrimmed: `INSERT INTO sequences (room_id, reserved, trimmed) VALUES (?, 0, ?)
    ON CONFLICT (room_id) DO UPDATE SET trimmed = max(trimmed, excluded.trimmed)`,
  raiseTrimmedOlderThan: `INSERT INTO sequences (room_id, reserved, trimmed)
    SELECT room_id, 0, max(id) FROM messages WHERE timestamp < ? GROUP BY room_id
    ON CONFLICT (room_id) DO UPDATE SET trimmed = max(trimmed, excluded.trimmed)`,
  trimOlderThan: "DELETE FROM messages WHERE timestamp < ?",
  // The last id written: the newest message, else the newest trimmed one. `reserved` is no
  // longer written; files of older roomd versions keep the end of their last reserved block
  // there, which is honoured once. A commit then writes no page but the messages'.
  lastId: `SELECT max(coalesce((SELECT max(id) FROM messages WHERE room_id = ?1), 0),
    coalesce((SELECT max(reserved, trimmed) FROM sequences WHERE room_id = ?1), 0)) AS last`,
  getTrimmed: "SELECT trimmed FROM sequences WHERE room_id = ?",
  getKey: `SELECT fingerprint, message_id, timestamp, expires_at FROM dedupe
    WHERE room_id = ? AND key = ?`,
  putKey: `INSERT INTO dedupe (room_id, key, fingerprint, message_id, timestamp, expires_at)
    VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (room_id, key) DO UPDATE SET
    fingerprint = excluded.fingerprint, message_id = excluded.message_id,
    timestamp = excluded.timestamp, expires_at = excluded.expires_at`,
  purgeKeys: "DELETE FROM dedupe WHERE expires_at <= ?",
  probe: `INSERT INTO probe (id, at) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET at = excluded.at`,
  ping: "SELECT 1",
} as const;

/** Every statement of the store, prepared once per connection. */
export type Statements = Record<keyof typeof SQL, StatementSync>;
/** A result row. */
export type Row = Record<string, SQLOutputValue>;

/**
 * Prepares every statement of {@linkcode Statements}.
 *
 * @param db A migrated database.
 * @returns The statements by name.
 */
export function prepareStatements(db: DatabaseSync): Statements {
  const entries = Object.entries(SQL).map(([name, sql]) => [name, db.prepare(sql)]);
  return Object.fromEntries(entries) as Statements;
}

/**
 * Creates or upgrades the schema: applies the migrations the file lacks, all in one transaction.
 *
 * @param db The open database.
 * @param path Its file, for error messages.
 * @throws {StoreError} When the file's schema is newer than this code knows.
 */
export function migrate(db: DatabaseSync, path: string): void {
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

/**
 * The named parameters of a room row.
 *
 * @param room The record.
 * @returns Values by column name.
 */
export function roomParams(room: RoomRecord): Record<string, string | number | null> {
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
    presence: room.presence,
    empty_since: room.empty_since,
  };
}

/**
 * The record of a `rooms` row.
 *
 * @param row All room columns.
 * @returns The room.
 */
export function toRoom(row: Row): RoomRecord {
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
    presence: row.presence as PresenceMode,
    empty_since: row.empty_since as string | null,
  };
}

/**
 * The message of a `messages` row.
 *
 * @param row All message columns.
 * @returns The message, `data` parsed.
 */
export function toMessage(row: Row): StoredMessage {
  return {
    id: row.id as number,
    type: row.type as string,
    room_id: row.room_id as string,
    user_id: row.user_id as string | null,
    data: JSON.parse(row.data as string),
    timestamp: row.timestamp as string,
  };
}
