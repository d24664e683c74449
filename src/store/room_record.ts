/**
 * The records of a room as every store engine keeps them, and the shapes of room queries.
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
