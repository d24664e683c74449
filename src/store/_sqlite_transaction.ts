/**
 * The write transaction of the SQLite engine. Private to the `_sqlite*.ts` and `sqlite.ts`
 * modules.
 *
 * @module
 */
import type { DatabaseSync } from "node:sqlite";

/**
 * Runs `body` in a `BEGIN IMMEDIATE` transaction: commits when it returns, rolls back when it
 * throws (and rethrows).
 *
 * @param db The open database.
 * @param body The work; synchronous, like everything on a `DatabaseSync`.
 * @returns What `body` returned, once committed.
 */
export function transaction<T>(db: DatabaseSync, body: () => T): T {
  db.exec("BEGIN IMMEDIATE");
  try {
    const result = body();
    db.exec("COMMIT");
    return result;
  } catch (err) {
    if (db.isTransaction) db.exec("ROLLBACK");
    throw err;
  }
}
