/**
 * The storage seam: what roomd keeps about rooms and their message history.
 *
 * Every engine (memory, SQLite, later Redis) implements {@linkcode Store} and is run
 * against the same contract suite in `tests/store/_contract.ts`. The records live in
 * `room_record.ts` and `message_record.ts`, the rules every engine shares in `room_rules.ts` and
 * `retention.ts`; this module re-exports them all, so callers import the seam from one place.
 *
 * @module
 */
import type { ListRoomsOptions, RoomPage, RoomPatch, RoomRecord } from "./room_record.ts";
import type {
  AppendResult,
  HistoryPage,
  HistoryQuery,
  NewMessage,
  SequenceState,
} from "./message_record.ts";

export * from "./room_record.ts";
export * from "./message_record.ts";
export * from "./retention.ts";
export * from "./room_rules.ts";

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
