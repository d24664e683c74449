/**
 * The message side of {@linkcode MemoryStore}: each room's history, sequence state and dedupe
 * keys, with the semantics of the SQLite engine. Private to `memory.ts`.
 *
 * @module
 */
import type {
  AppendResult,
  HistoryPage,
  HistoryQuery,
  NewMessage,
  SequenceState,
  SerializedMessage,
  StoredMessage,
} from "./message_record.ts";
import { mustTrim } from "./retention.ts";

/** A dedupe key as held: its request's fingerprint and the message it published. */
interface HeldKey {
  fingerprint: string;
  expires_at: number;
  id: number;
  timestamp: string;
}

/** Each room's messages, sequence state and dedupe keys, held in maps. Methods never await. */
export class MemoryHistory {
  readonly #historySize: number;
  /** Per room, sorted by id. */
  readonly #messages = new Map<string, SerializedMessage[]>();
  readonly #sequences = new Map<string, SequenceState>();
  /** Dedupe keys per room. */
  readonly #keys = new Map<string, Map<string, HeldKey>>();
  #nextPurge = -Infinity;

  /**
   * Creates an empty history.
   *
   * @param historySize About the newest this many messages kept per room (0 = unlimited).
   */
  constructor(historySize: number) {
    this.#historySize = historySize;
  }

  /**
   * Writes a batch: ids after each room's last, dedupe keys with their messages, then retention.
   *
   * @param messages Messages of any rooms.
   * @returns One result per message.
   */
  append(messages: NewMessage[]): AppendResult[] {
    const results: AppendResult[] = [];
    const touched = new Set<string>();
    for (const message of messages) {
      const result = this.#appendOne(message);
      results.push(result);
      if (result.status === "stored") touched.add(message.room_id);
    }
    for (const roomId of touched) this.#retain(roomId);
    if (messages.length > 0) this.#purgeKeys(Date.parse(messages[messages.length - 1].timestamp));
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
    const stored = this.#messages.get(roomId) ?? [];
    const from = lowerBound(stored, query.since ?? -Infinity, true);
    const to = lowerBound(stored, query.before ?? Infinity, false);
    const count = Math.max(0, to - from);
    const page = query.since !== undefined && query.before === undefined
      ? stored.slice(from, from + query.limit)
      : stored.slice(Math.max(from, to - query.limit), to);
    return { messages: page.map(parseMessage), has_more: count > query.limit };
  }

  /**
   * The room's sequence state.
   *
   * @param roomId Room id.
   * @returns A copy; zeros for a room never written.
   */
  sequence(roomId: string): SequenceState {
    return { ...(this.#sequences.get(roomId) ?? { last_id: 0, trimmed: 0 }) };
  }

  /**
   * Removes messages whose `timestamp` is before `olderThan` (timestamps compare as canonical
   * ISO strings, as `Date.prototype.toISOString` writes them) and raises `trimmed`.
   *
   * @param olderThan The cut-off time.
   */
  trimOlderThan(olderThan: Date): void {
    const cutoff = olderThan.toISOString();
    for (const [roomId, stored] of this.#messages) {
      const kept = stored.filter((m) => m.timestamp >= cutoff);
      if (kept.length === stored.length) continue;
      const removed = stored.filter((m) => m.timestamp < cutoff);
      this.#raiseTrimmed(roomId, removed[removed.length - 1].id);
      this.#messages.set(roomId, kept);
    }
  }

  /**
   * Forgets a room's history, sequence state and dedupe keys.
   *
   * @param roomId Room id.
   */
  deleteRoom(roomId: string): void {
    this.#messages.delete(roomId);
    this.#sequences.delete(roomId);
    this.#keys.delete(roomId);
  }

  /** Forgets everything. */
  clear(): void {
    this.#messages.clear();
    this.#sequences.clear();
    this.#keys.clear();
  }

  #appendOne(message: NewMessage): AppendResult {
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

/** A held message (exactly the record's fields) as read back, its payload parsed. */
function parseMessage(message: SerializedMessage): StoredMessage {
  const { data_json, ...fields } = message;
  return { ...fields, data: JSON.parse(data_json) };
}
