/**
 * The write transaction of the SQLite engine. Private to the `_sqlite*.ts` and `sqlite.ts`
 * modules.
 *
 * @module
 */
import type { DatabaseSync, StatementSync } from "node:sqlite";

/**
 * The statements that open and end a transaction, prepared once per connection: `exec` would
 * parse them on every commit. On the broadcast path a commit runs with caches cold (a fan-out
 * ran before it), and there the parsing cost about 6 µs a commit (90 against 83 µs per
 * one-insert commit, means of 6 × 1,500 commits with 8 MB evicted between them).
 */
interface TransactionStatements {
  begin: StatementSync;
  commit: StatementSync;
  rollback: StatementSync;
}

const prepared = new WeakMap<DatabaseSync, TransactionStatements>();

function statementsOf(db: DatabaseSync): TransactionStatements {
  let statements = prepared.get(db);
  if (statements === undefined) {
    statements = {
      begin: db.prepare("BEGIN IMMEDIATE"),
      commit: db.prepare("COMMIT"),
      rollback: db.prepare("ROLLBACK"),
    };
    prepared.set(db, statements);
  }
  return statements;
}

/**
 * Runs `body` in a `BEGIN IMMEDIATE` transaction: commits when it returns, rolls back when it
 * throws (and rethrows).
 *
 * @param db The open database.
 * @param body The work; synchronous, like everything on a `DatabaseSync`.
 * @returns What `body` returned, once committed.
 */
export function transaction<T>(db: DatabaseSync, body: () => T): T {
  const { begin, commit, rollback } = statementsOf(db);
  begin.run();
  try {
    const result = body();
    commit.run();
    return result;
  } catch (err) {
    if (db.isTransaction) rollback.run();
    throw err;
  }
}
