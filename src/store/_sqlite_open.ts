/**
 * Opening the SQLite file of {@linkcode SqliteStore}: the directory, the pragmas, the
 * migrations, and one clear error line when any of it fails. Private to `sqlite.ts`.
 *
 * @module
 */
import { DatabaseSync } from "node:sqlite";
import { join } from "node:path";
import { migrate, prepareStatements, type Statements } from "./_sqlite_schema.ts";
import { StoreError } from "./store_error.ts";

/** An open, migrated database and what the store keeps about it. */
export interface OpenDatabase {
  /** The connection. */
  db: DatabaseSync;
  /** Path of the file, `<dataDir>/roomd.db`. */
  path: string;
  /** Inode of the file as opened, to notice it being replaced. */
  inode: number | null;
  /** The prepared statements. */
  sql: Statements;
}

/**
 * Opens (creating and migrating when needed) `<dataDir>/roomd.db` in WAL mode, and starts the
 * empty-room TTL of rooms that were occupied when the last process stopped.
 *
 * @param dataDir Directory of `roomd.db`; created when missing.
 * @returns The open database.
 * @throws {StoreError} When the directory cannot be created or the file is not a usable
 * database, e.g. `Cannot open database ./data/roomd.db: file is not a database`.
 */
export function openDatabase(dataDir: string): OpenDatabase {
  try {
    Deno.mkdirSync(dataDir, { recursive: true });
  } catch (err) {
    throw StoreError.from(`Cannot create data directory ${dataDir}`, err);
  }
  const path = join(dataDir, "roomd.db");
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
    return { db, path, inode: Deno.statSync(path).ino, sql: prepareStatements(db) };
  } catch (err) {
    if (db?.isOpen) db.close();
    if (err instanceof StoreError) throw err;
    const raw = err instanceof Error ? err.message : String(err);
    const reason = raw.endsWith(`: ${path}`) ? raw.slice(0, -path.length - 2) : raw;
    const line = StoreError.from(`Cannot open database ${path}`, reason).message;
    throw new StoreError(line, { cause: err });
  }
}
