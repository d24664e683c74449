/**
 * The storage seam: what roomd keeps about rooms and their message history.
 *
 * Every engine (memory, SQLite, later Redis) implements {@linkcode Store} and is run
 * against the same contract suite in `tests/store/_contract.ts`.
 *
 * @module
 */

/** How a room came to exist, which decides when it is cleaned up. */
export type RoomOrigin = "api" | "auto";

/**
 * What a room tells its members about joins and leaves: `full` presence frames, frames with the
 * `count` only, or none (`off`). The count in welcomes and the API is exact in every mode.
 */
export type PresenceMode = "full" | "count" | "off";

/** Every {@linkcode PresenceMode}. */
export const PRESENCE_MODES: readonly PresenceMode[] = ["full", "count", "off"];

/** Everything roomd persists about one room. */
export interface RoomRecord {
  /** Room id, `^[A-Za-z0-9._:-]{1,64}$`. */
  id: string;
  /** Display name; defaults to the id. */
  name: string;
  /** ISO 8601 creation time. */
  created_at: string;
  /** User id of the creator; `null` for rooms created by the server. */
  created_by: string | null;
  /** Most connections at once; 0 = no limit. */
  max_clients: number;
  /** When true only `members`, the creator and admins may join. */
  is_private: boolean;
  /** User ids allowed into a private room. */
  members: string[];
  /** Free JSON object owned by the application (at most 8 KiB serialized). */
  metadata: Record<string, unknown>;
  /** Delete the room this many seconds after it becomes empty; `null` = never (API rooms). */
  ttl_s: number | null;
  /** `auto` rooms were created by a WebSocket join; `api` rooms through the HTTP API. */
  origin: RoomOrigin;
  /** Random string, new whenever the room's history starts over. */
  epoch: string;
  /** Per-room override of the message rate (messages per second); `null` = server default. */
  msg_rate: number | null;
  /** Per-room override of the message burst; `null` = server default. */
  msg_burst: number | null;
  /** Presence frames sent to members (default `full`). */
  presence: PresenceMode;
  /** ISO 8601 time the last connection left; `null` while occupied or never joined. */
  empty_since: string | null;
}

/** Fields of a room that `update` may change. */
export type RoomPatch = Partial<
  Pick<
    RoomRecord,
    | "name"
    | "max_clients"
    | "is_private"
    | "members"
    | "metadata"
    | "ttl_s"
    | "msg_rate"
    | "msg_burst"
    | "presence"
    | "empty_since"
  >
>;

/** One page of rooms, ordered by id. */
export interface RoomPage {
  /** Rooms on this page. */
  rooms: RoomRecord[];
  /** Pass as `cursor` to get the next page; `null` on the last page. */
  next_cursor: string | null;
}

/** Options of {@linkcode RoomStore.listRooms}. */
export interface ListRoomsOptions {
  /** Only rooms whose id starts with this. */
  prefix?: string;
  /** Page size, 1–1000. */
  limit: number;
  /** Opaque cursor from a previous page (the last id seen). */
  cursor?: string;
}

/** Persistence of room records. */
export interface RoomStore {
  /** The room, or `null` when there is none. */
  getRoom(id: string): Promise<RoomRecord | null>;
  /** Stores a new room; `false` (and no change) when the id is taken. */
  createRoom(room: RoomRecord): Promise<boolean>;
  /** Applies a patch; the updated room, or `null` when there is none. */
  updateRoom(id: string, patch: RoomPatch): Promise<RoomRecord | null>;
  /** Deletes the room and all its messages; `false` when there was none. */
  deleteRoom(id: string): Promise<boolean>;
  /** Rooms ordered by id, paged. */
  listRooms(options: ListRoomsOptions): Promise<RoomPage>;
  /**
   * Rooms that are due for cleanup at `now`: `auto` rooms without `ttl_s` empty for at least
   * `emptyRoomTtlS` seconds, and rooms with `ttl_s` empty for at least that long.
   */
  listExpiredRooms(now: Date, emptyRoomTtlS: number): Promise<string[]>;
}

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
 * import { dedupeKeyOf } from "./types.ts";
 * assert.equal(dedupeKeyOf("http", "k1"), "http:k1");
 * assert.equal(dedupeKeyOf("cid", "ana", "m1"), 'cid:["ana","m1"]');
 * ```
 */
export function dedupeKeyOf(scope: "http", key: string): string;
export function dedupeKeyOf(scope: "cid", userId: string, cid: string): string;
export function dedupeKeyOf(scope: "http" | "cid", ...parts: string[]): string {
  return scope === "http" ? `http:${parts[0]}` : `cid:${JSON.stringify(parts)}`;
}

/** Persistence of message history. */
export interface MessageStore {
  /**
   * Writes a batch of messages (any rooms) in one transaction: each room's messages get the
   * ids after its last written id, in batch order (so ids are consecutive and never reused),
   * and their dedupe keys are stored with them. A message whose key is held (not expired at the
   * message's `timestamp`) is not written. Then retention is applied to those rooms. Either the
   * whole batch is written or, on failure, none of it.
   *
   * @returns One result per message, in batch order.
   */
  appendMessages(messages: NewMessage[]): Promise<AppendResult[]>;
  /**
   * Reads history. With `since` only: the oldest `limit` messages after `since`.
   * Otherwise the newest `limit` messages below `before` (or the newest overall).
   * Either way the page is returned oldest first.
   */
  readMessages(roomId: string, query: HistoryQuery): Promise<HistoryPage>;
  /** The room's sequence state (zeros for a room never written). */
  getSequence(roomId: string): Promise<SequenceState>;
  /** Removes messages older than `olderThan` in every room. */
  trimOlderThan(olderThan: Date): Promise<void>;
  /**
   * A tiny write transaction that succeeds only while the store accepts writes; the writer
   * runs it while commits fail, to notice recovery without traffic.
   */
  probeWrite(): Promise<void>;
}

/** A complete storage engine. */
export interface Store extends RoomStore, MessageStore {
  /** Resolves when the engine can serve requests; rejects with the reason otherwise. */
  ping(): Promise<void>;
  /** Releases files and connections. */
  close(): Promise<void>;
}

/** Retention applied by {@linkcode MessageStore.appendMessages}. */
export interface RetentionOptions {
  /**
   * Keep the newest this many messages per room (0 = no count limit). Like Redis's
   * `MAXLEN ~`, a room may hold some more before it is trimmed back (see
   * {@linkcode mustTrim}), so that a busy room pays for a trim once in a while, not on every
   * commit.
   */
  historySize: number;
}

/**
 * Whether a room holding `held` messages is trimmed back to its newest `historySize`: once it
 * holds more than a sixteenth over the size (so a `historySize` below 16 is kept exactly), and
 * never when `historySize` is 0 (no limit).
 *
 * @param held Messages the room holds.
 * @param historySize The retention size.
 * @returns Whether to trim now.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { mustTrim } from "./types.ts";
 * assert.ok(!mustTrim(1062, 1000) && mustTrim(1063, 1000));
 * assert.ok(mustTrim(11, 10));
 * assert.ok(!mustTrim(5000, 0));
 * ```
 */
export function mustTrim(held: number, historySize: number): boolean {
  return historySize > 0 && held > historySize + Math.floor(historySize / 16);
}

/**
 * The cleanup rule of {@linkcode RoomStore.listExpiredRooms}, shared by every engine: a room
 * with `empty_since` set is expired when it has `ttl_s` and has been empty that long, or when it
 * is an `auto` room without `ttl_s` that has been empty for `emptyRoomTtlS`. API rooms without
 * `ttl_s`, and rooms that are occupied (`empty_since` null), never expire.
 *
 * @param room The room's `empty_since`, `ttl_s` and `origin`.
 * @param now The current time.
 * @param emptyRoomTtlS The server-wide TTL of empty `auto` rooms, in seconds.
 * @returns Whether the room is due for cleanup at `now`.
 *
 * @example An auto room empty for five minutes
 * ```ts
 * import assert from "assert";
 * import { isRoomExpired } from "./types.ts";
 *
 * const room = { empty_since: "2025-01-01T00:00:00.000Z", ttl_s: null, origin: "auto" } as const;
 * assert.ok(isRoomExpired(room, new Date("2025-01-01T00:05:00.000Z"), 300));
 * assert.ok(!isRoomExpired(room, new Date("2025-01-01T00:04:59.999Z"), 300));
 * ```
 */
export function isRoomExpired(
  room: Pick<RoomRecord, "empty_since" | "ttl_s" | "origin">,
  now: Date,
  emptyRoomTtlS: number,
): boolean {
  if (room.empty_since === null) return false;
  const ttlS = room.ttl_s ?? (room.origin === "auto" ? emptyRoomTtlS : null);
  if (ttlS === null) return false;
  return now.getTime() - Date.parse(room.empty_since) >= ttlS * 1000;
}

const PATCHABLE: ReadonlySet<string> = new Set<keyof RoomPatch>([
  "name",
  "max_clients",
  "is_private",
  "members",
  "metadata",
  "ttl_s",
  "msg_rate",
  "msg_burst",
  "presence",
  "empty_since",
]);

/**
 * The patch rule of {@linkcode RoomStore.updateRoom}, shared by every engine: fields of the
 * patch that are `undefined`, or that {@linkcode RoomPatch} does not list, are ignored.
 *
 * @param room The stored room.
 * @param patch The changes.
 * @returns A new record; `room` is not modified.
 *
 * @example Renaming a room
 * ```ts
 * import assert from "assert";
 * import { applyRoomPatch, type RoomRecord } from "./types.ts";
 *
 * const room: RoomRecord = {
 *   id: "lobby", name: "lobby", created_at: "2025-01-01T00:00:00.000Z", created_by: null,
 *   max_clients: 0, is_private: false, members: [], metadata: {}, ttl_s: 60, origin: "api",
 *   epoch: "e1", msg_rate: null, msg_burst: null, presence: "full", empty_since: null,
 * };
 * const renamed = applyRoomPatch(room, { name: "Lobby", ttl_s: undefined });
 * assert.ok(renamed.name === "Lobby" && renamed.ttl_s === 60 && room.name === "lobby");
 * ```
 */
export function applyRoomPatch(room: RoomRecord, patch: RoomPatch): RoomRecord {
  const next: Record<string, unknown> = { ...room };
  for (const [key, value] of Object.entries(patch)) {
    if (value !== undefined && PATCHABLE.has(key)) next[key] = value;
  }
  return next as unknown as RoomRecord;
}
