/**
 * The message side of {@linkcode SqliteStore}: appending batches with their dedupe keys,
 * retention, history reads and sequence state. Private to `sqlite.ts`.
 *
 * @module
 */
import type { DatabaseSync } from "node:sqlite";
import { type Statements, toMessage } from "./_sqlite_schema.ts";
import { transaction } from "./_sqlite_transaction.ts";
import type {
  AppendResult,
  HistoryPage,
  HistoryQuery,
  NewMessage,
  SequenceState,
} from "./message_record.ts";
import { mustTrim } from "./retention.ts";

/**
 * Each room's history in the SQLite file, with what it remembers between commits so that a
 * commit reads little: how many messages each room holds and the last id written. Methods are
 * synchronous; the caller maps their errors.
 */
export class SqliteHistory {
  readonly #db: DatabaseSync;
  readonly #sql: Statements;
  readonly #historySize: number;
  /** Messages held per room, once counted: retention then needs no scan of the history. */
  readonly #held = new Map<string, number>();
  /** The last id written per room, once read: a commit then reads nothing to number its batch. */
  readonly #lastIds = new Map<string, number>();
  /** Message time (ms) after which the next commit drops expired dedupe keys. */
  #nextPurge = -Infinity;

  /**
   * Works on an open, migrated database.
   *
   * @param db The database.
   * @param sql Its prepared statements.
   * @param historySize About the newest this many messages kept per room (0 = unlimited).
   */
  constructor(db: DatabaseSync, sql: Statements, historySize: number) {
    this.#db = db;
    this.#sql = sql;
    this.#historySize = historySize;
  }

  /**
   * Writes a batch in one transaction: each room's messages get the ids after its last written
   * id, dedupe keys are checked and stored with their messages, then each room of the batch
   * that holds too many is trimmed back to its newest `historySize` (see {@linkcode mustTrim}),
   * raising `trimmed`.
   *
   * @param messages Messages of any rooms.
   * @returns One result per message, once committed.
   */
  append(messages: NewMessage[]): AppendResult[] {
    if (messages.length === 0) return [];
    const now = Date.parse(messages[messages.length - 1].timestamp);
    const [results, held, last] = transaction(this.#db, this.#sql, () => {
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
  }

  /**
   * Reads a page of history (the limit is checked by the caller).
   *
   * @param roomId Room id.
   * @param query Bounds and page size.
   * @returns Messages oldest first, and whether more lie beyond the page.
   */
  read(roomId: string, query: HistoryQuery): HistoryPage {
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
  }

  /**
   * The room's sequence state.
   *
   * @param roomId Room id.
   * @returns Zeros for a room never written.
   */
  sequence(roomId: string): SequenceState {
    const row = this.#sql.getTrimmed.get(roomId);
    return { last_id: this.#readLastId(roomId), trimmed: Number(row?.trimmed ?? 0) };
  }

  /**
   * Removes messages whose `timestamp` is before `olderThan` in one transaction and raises
   * `trimmed`. Scans the whole table.
   *
   * @param olderThan The cut-off time.
   */
  trimOlderThan(olderThan: Date): void {
    const cutoff = olderThan.toISOString();
    this.#held.clear();
    transaction(this.#db, this.#sql, () => {
      this.#sql.raiseTrimmedOlderThan.run(cutoff);
      this.#sql.trimOlderThan.run(cutoff);
    });
  }

  /**
   * Deletes the room's history, sequence state and dedupe keys; run inside the caller's
   * transaction.
   *
   * @param roomId Room id.
   */
  deleteRoom(roomId: string): void {
    this.#held.delete(roomId);
    this.#lastIds.delete(roomId);
    this.#sql.deleteHistory.run(roomId);
    this.#sql.deleteSequence.run(roomId);
    this.#sql.deleteKeys.run(roomId);
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
}
