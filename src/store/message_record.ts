/**
 * The records of a room's message history as every store engine keeps them: messages, history
 * queries, sequence state and the dedupe keys that make a publish happen once.
 *
 * @module
 */

/** A persisted message, exactly the envelope clients receive (minus `ref`). */
export interface StoredMessage {
  /** Per-room sequence number, strictly increasing. */
  id: number;
  /** Message type (`chat`, `system` or a declared persisted type). */
  type: string;
  /** Room the message belongs to. */
  room_id: string;
  /** Sender's user id; `null` for messages published by the server. */
  user_id: string | null;
  /** Validated payload. */
  data: unknown;
  /** ISO 8601 server time. */
  timestamp: string;
}

/**
 * A message as appended: its payload already serialized, because the broadcast path
 * serializes it once for the frame and the store alike.
 */
export interface SerializedMessage extends Omit<StoredMessage, "data"> {
  /** The payload as JSON text. */
  data_json: string;
}

/** A history query: at most `limit` messages with `since < id < before`, oldest first. */
export interface HistoryQuery {
  /** Only messages with a greater id. */
  since?: number;
  /** Only messages with a smaller id. */
  before?: number;
  /** At most this many (1–1000). */
  limit: number;
}

/** One page of history. */
export interface HistoryPage {
  /** Messages, oldest first. */
  messages: StoredMessage[];
  /**
   * More messages match beyond this page: newer ones when `since` was given without `before`,
   * older ones otherwise.
   */
  has_more: boolean;
}

/** Sequence bookkeeping of a room's history. */
export interface SequenceState {
  /**
   * Highest id ever written in the room (0 when none); the next message gets this + 1. (Files
   * written by roomd before ids were allocated at write may hold the end of a reserved block.)
   */
  last_id: number;
  /** Highest id removed by retention (0 when nothing was trimmed). */
  trimmed: number;
}

/**
 * A key that makes a publish happen once: stored with the message, in the same transaction,
 * per room. Two scopes share the keyspace: `http:<Idempotency-Key>` and
 * `cid:<JSON of [user id, cid]>` (see {@linkcode dedupeKeyOf}).
 */
export interface DedupeKey {
  /** The scoped key, unique within the room. */
  key: string;
  /** Digest of the request; the same key with another fingerprint is a conflict. */
  fingerprint: string;
  /** When the key may be forgotten, in ms since the epoch. */
  expires_at: number;
}

/** A message to append: its id is allocated by the store as it writes the batch. */
export interface NewMessage extends Omit<SerializedMessage, "id"> {
  /** Publish this only once per key (while the key has not expired). */
  dedupe?: DedupeKey;
}

/**
 * What became of one message of a batch: `stored` with its new id; `duplicate` when its key
 * was already stored with the same fingerprint (nothing written; the original id and time);
 * `conflict` when the key was stored with another fingerprint (nothing written).
 */
export type AppendResult =
  | { status: "stored"; id: number }
  | { status: "duplicate"; id: number; timestamp: string }
  | { status: "conflict" };

/**
 * The scoped key of a {@linkcode DedupeKey}.
 *
 * @param scope `http` (an `Idempotency-Key`) or `cid` (a client message id).
 * @param parts The key, or the user id and the cid.
 * @returns The key as stored.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { dedupeKeyOf } from "./message_record.ts";
 * assert.equal(dedupeKeyOf("http", "k1"), "http:k1");
 * assert.equal(dedupeKeyOf("cid", "ana", "m1"), 'cid:["ana","m1"]');
 * ```
 */
export function dedupeKeyOf(scope: "http", key: string): string;
export function dedupeKeyOf(scope: "cid", userId: string, cid: string): string;
export function dedupeKeyOf(scope: "http" | "cid", ...parts: string[]): string {
  return scope === "http" ? `http:${parts[0]}` : `cid:${JSON.stringify(parts)}`;
}
