/**
 * Names of roomd's Redis keys and channels. Every key of one room carries the room id as its
 * hash tag (`{lobby}`), so on a Redis Cluster a room lives on one shard: its Lua scripts touch
 * only that shard and its sharded channel is published there.
 *
 * @module
 */

/** Key names under one prefix (`ROOMD_REDIS_PREFIX`). */
export class RedisKeys {
  /** The prefix of every key. */
  readonly prefix: string;

  /** @param prefix Prefix of every key, e.g. `roomd:`. */
  constructor(prefix: string) {
    this.prefix = prefix;
  }

  /**
   * A key of one room, e.g. `roomd:{lobby}:seq`.
   *
   * @param roomId Room id (room ids never contain braces).
   * @param part What the key holds.
   * @returns The key.
   *
   * @example
   * ```ts
   * import assert from "assert";
   * import { RedisKeys } from "./keys.ts";
   * assert.equal(new RedisKeys("roomd:").room("lobby", "seq"), "roomd:{lobby}:seq");
   * ```
   */
  room(roomId: string, part: string): string {
    return `${this.prefix}{${roomId}}:${part}`;
  }

  /**
   * The sharded channel of a room: every node hosting the room subscribes to it.
   *
   * @param roomId Room id.
   * @returns The channel.
   */
  channel(roomId: string): string {
    return this.room(roomId, "bus");
  }

  /**
   * A key of one user (per-user limits across nodes), e.g. `roomd:{u:ana}:conns`.
   *
   * @param userId User id.
   * @param part What the key holds.
   * @returns The key.
   */
  user(userId: string, part: string): string {
    return `${this.prefix}{u:${userId}}:${part}`;
  }

  /**
   * A key not tied to a room or user, e.g. the room index `roomd:rooms`.
   *
   * @param name The key's name.
   * @returns The key.
   */
  global(name: string): string {
    return `${this.prefix}${name}`;
  }
}
