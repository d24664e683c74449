/**
 * The global index of the Redis store's rooms: one sorted set of room ids (all scores 0, so
 * ordered by id), for listing by prefix and cursor and for the janitor's scan. It lives on
 * another Cluster shard than the rooms, so it is written beside their scripts, never in them:
 * an entry may outlive its record (readers skip it).
 *
 * @module
 */
import {
  isRoomExpired,
  type ListRoomsOptions,
  type RoomPage,
  type RoomRecord,
} from "../store/types.ts";
import type { RedisKeys } from "./keys.ts";
import type { RedisLink } from "./redis_link.ts";

/** Ids read per round trip when scanning every room. */
const SCAN_PAGE = 500;

/** Reads a room's record (`null` when it is gone). */
export type ReadRoom = (id: string) => Promise<RoomRecord | null>;

/** The room index of one key prefix. */
export class RoomIndex {
  readonly #link: RedisLink;
  readonly #key: string;

  /**
   * @param link The node's Redis.
   * @param keys Key names (the index is `<prefix>rooms`).
   */
  constructor(link: RedisLink, keys: RedisKeys) {
    this.#link = link;
    this.#key = keys.global("rooms");
  }

  /**
   * Lists a room.
   *
   * @param id Room id.
   */
  async add(id: string): Promise<void> {
    await this.#link.command(["ZADD", this.#key, "0", id], this.#key);
  }

  /**
   * Unlists a room.
   *
   * @param id Room id.
   */
  async remove(id: string): Promise<void> {
    await this.#link.command(["ZREM", this.#key, id], this.#key);
  }

  /**
   * One page of rooms by id, skipping entries whose record is gone.
   *
   * @param options Prefix, page size (checked by the caller) and cursor.
   * @param read Reads a record.
   * @returns The page and the cursor of the next.
   */
  async page(options: ListRoomsOptions, read: ReadRoom): Promise<RoomPage> {
    const prefix = options.prefix ?? "";
    const rooms: RoomRecord[] = [];
    let after = options.cursor !== undefined && options.cursor >= prefix
      ? options.cursor
      : undefined;
    for (;;) {
      const want = options.limit + 1 - rooms.length;
      const ids = await this.#ids(prefix, after, want);
      for (const room of await Promise.all(ids.map(read))) if (room !== null) rooms.push(room);
      if (ids.length < want || rooms.length > options.limit) break;
      after = ids[ids.length - 1];
    }
    const more = rooms.length > options.limit;
    const page = rooms.slice(0, options.limit);
    return { rooms: page, next_cursor: more ? page[page.length - 1].id : null };
  }

  /**
   * Ids of rooms due for cleanup, by id: reads every room's record (the janitor's scan).
   *
   * @param now The current time.
   * @param emptyRoomTtlS The server-wide TTL of empty `auto` rooms, in seconds.
   * @param read Reads a record.
   * @returns Room ids.
   */
  async expired(now: Date, emptyRoomTtlS: number, read: ReadRoom): Promise<string[]> {
    const due: string[] = [];
    let after: string | undefined;
    for (;;) {
      const ids = await this.#ids("", after, SCAN_PAGE);
      for (const room of await Promise.all(ids.map(read))) {
        if (room !== null && isRoomExpired(room, now, emptyRoomTtlS)) due.push(room.id);
      }
      if (ids.length < SCAN_PAGE) return due;
      after = ids[ids.length - 1];
    }
  }

  /** Up to `count` ids with the prefix, after `after`. */
  async #ids(prefix: string, after: string | undefined, count: number): Promise<string[]> {
    const min = after !== undefined ? `(${after}` : prefix === "" ? "-" : `[${prefix}`;
    // Room ids are ASCII, so every id with the prefix sorts below prefix + U+00FF.
    const max = prefix === "" ? "+" : `(${prefix}\u00ff`;
    const ids = await this.#link.command(
      ["ZRANGEBYLEX", this.#key, min, max, "LIMIT", "0", String(count)],
      this.#key,
    );
    return ids as string[];
  }
}
