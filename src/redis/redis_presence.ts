/**
 * The Redis engine of the Presence seam: who is in a room on every node, in keys of the room's
 * hash tag, changed only by Lua scripts (`presence_lua.ts`), so that capacity is checked and
 * taken atomically across nodes. Each node renews its own entries; a node that stops (killed)
 * leaves entries that expire, and the first surviving node to refresh the room removes them
 * and announces each leave once, to every node.
 *
 * @module
 */
import type { MemberInfo } from "../protocol/envelope.ts";
import type {
  MemberDetail,
  MemberPage,
  Presence,
  PresenceCount,
  PresenceEntry,
  PresenceListener,
  Reservation,
} from "../presence/presence.ts";
import type { RedisKeys } from "./keys.ts";
import * as lua from "./presence_lua.ts";
import { PresenceFeed } from "./presence_feed.ts";
import type { LuaScript, RedisLink, RedisReply } from "./redis_link.ts";
import type { RoomBus } from "./room_bus.ts";

/** Options of {@linkcode RedisPresence}. */
export interface RedisPresenceOptions {
  /** How long an entry lives without a refresh, in ms (`ROOMD_PRESENCE_TTL_S` × 1000). */
  entryTtlMs: number;
  /** How long a reservation whose socket never opened lives, in ms. */
  reservationTtlMs: number;
  /** The clock, in ms (default `Date.now`); every node must agree on it within seconds. */
  now?: () => number;
}

/** What this node knows of its own connections, to renew and, if lost, put them back. */
interface Own {
  userId: string;
  userJson: string;
  joinedAt: string;
}

/**
 * One node's presence over Redis.
 *
 * @example
 * ```ts ignore
 * const presence = new RedisPresence(link, bus, keys, nodeId, {
 *   entryTtlMs: 30_000,
 *   reservationTtlMs: 30_000,
 * });
 * if ((await presence.reserve("lobby", "c1", 10)).ok) {
 *   await presence.join("lobby", "c1", { id: "ana", name: "Ana" }, Date.now());
 * }
 * ```
 */
export class RedisPresence implements Presence {
  /** This node's id. */
  readonly nodeId: string;
  /** A third of the entry TTL. */
  readonly refreshMs: number;
  readonly #link: RedisLink;
  readonly #keys: RedisKeys;
  readonly #feed: PresenceFeed;
  readonly #entryTtlMs: number;
  readonly #reservationTtlMs: number;
  /** Keys outlive the longest TTL, so that a room no node hosts any more is forgotten. */
  readonly #keyTtlMs: string;
  readonly #now: () => number;
  /** This node's connections, by room and connection id. */
  readonly #own = new Map<string, Map<string, Own>>();

  /**
   * @param link The node's Redis.
   * @param bus The node's room channels.
   * @param keys Key names.
   * @param nodeId This node's id.
   * @param options TTLs and clock.
   */
  constructor(
    link: RedisLink,
    bus: RoomBus,
    keys: RedisKeys,
    nodeId: string,
    options: RedisPresenceOptions,
  ) {
    this.#link = link;
    this.#keys = keys;
    this.nodeId = nodeId;
    this.#feed = new PresenceFeed(bus, nodeId);
    this.#entryTtlMs = options.entryTtlMs;
    this.#reservationTtlMs = options.reservationTtlMs;
    this.#keyTtlMs = String(2 * Math.max(options.entryTtlMs, options.reservationTtlMs));
    this.#now = options.now ?? Date.now;
    this.refreshMs = Math.max(1, Math.floor(options.entryTtlMs / 3));
  }

  /** {@inheritDoc Presence.reserve} */
  async reserve(roomId: string, connectionId: string, capacity: number): Promise<Reservation> {
    const taken = await this.#run(lua.RESERVE, roomId, [
      connectionId,
      String(capacity),
      this.#time(),
      String(this.#reservationTtlMs),
      this.#keyTtlMs,
    ]);
    return taken === -1 ? { ok: true } : { ok: false, taken: Number(taken) };
  }

  /** {@inheritDoc Presence.release} */
  async release(roomId: string, connectionId: string): Promise<boolean> {
    return await this.#run(lua.RELEASE, roomId, [connectionId]) === 1;
  }

  /** {@inheritDoc Presence.join} */
  async join(
    roomId: string,
    connectionId: string,
    user: MemberInfo,
    joinedAt: number,
  ): Promise<{ first: boolean } | null> {
    const own: Own = {
      userId: user.id,
      userJson: JSON.stringify({ id: user.id, name: user.name }),
      joinedAt: String(joinedAt),
    };
    const joined = await this.#run(lua.JOIN, roomId, [
      connectionId,
      own.userId,
      own.userJson,
      this.nodeId,
      own.joinedAt,
      this.#time(),
      String(this.#entryTtlMs),
      this.#keyTtlMs,
    ]);
    if (joined === -1) return null;
    let mine = this.#own.get(roomId);
    if (mine === undefined) this.#own.set(roomId, mine = new Map());
    mine.set(connectionId, own);
    return { first: joined === 1 };
  }

  /** {@inheritDoc Presence.leave} */
  async leave(
    roomId: string,
    connectionId: string,
  ): Promise<{ last: boolean; user: MemberInfo } | null> {
    const mine = this.#own.get(roomId);
    mine?.delete(connectionId);
    if (mine?.size === 0) this.#own.delete(roomId);
    const left = await this.#run(lua.LEAVE, roomId, [connectionId, this.nodeId]);
    if (!Array.isArray(left)) return null;
    return { last: left[0] === 1, user: JSON.parse(String(left[1])) };
  }

  /** {@inheritDoc Presence.count} */
  async count(roomId: string): Promise<PresenceCount> {
    const [members, connections] = await this.#run(lua.COUNT, roomId, [this.#time()]) as number[];
    return { members, connections };
  }

  /** {@inheritDoc Presence.members} */
  async members(
    roomId: string,
    cursor: string | undefined,
    limit: number,
  ): Promise<MemberPage<MemberDetail> | null> {
    if (cursor !== undefined && !/^(0|[1-9][0-9]{0,14})$/.test(cursor)) return null;
    const reply = await this.#run(lua.MEMBERS, roomId, [
      cursor ?? "0",
      String(Math.max(0, Math.floor(limit))),
      this.#time(),
    ]);
    if (!Array.isArray(reply)) return null;
    const members: MemberDetail[] = [];
    for (let i = 2; i < reply.length; i += 3) {
      const { id, name } = JSON.parse(String(reply[i])) as MemberInfo;
      members.push({
        id,
        name,
        connections: Number(reply[i + 1]),
        joined_at: new Date(Number(reply[i + 2])).toISOString(),
      });
    }
    const next = String(reply[1]);
    return { members, count: Number(reply[0]), cursor: next === "" ? null : next };
  }

  /** {@inheritDoc Presence.memberInfos} */
  async memberInfos(
    roomId: string,
    cursor: string | undefined,
    limit: number,
  ): Promise<MemberPage<MemberInfo> | null> {
    const page = await this.members(roomId, cursor, limit);
    if (page === null) return null;
    return { ...page, members: page.members.map(({ id, name }) => ({ id, name })) };
  }

  /** {@inheritDoc Presence.entries} */
  async entries(roomId: string): Promise<PresenceEntry[]> {
    const reply = await this.#run(lua.ENTRIES, roomId, [this.#time()]) as string[];
    const entries: PresenceEntry[] = [];
    for (let i = 0; i < reply.length; i += 4) {
      const { id, name } = JSON.parse(reply[i + 3]) as MemberInfo;
      entries.push({
        connectionId: reply[i],
        node: reply[i + 1],
        joinedAt: Number(reply[i + 2]),
        user: { id, name },
      });
    }
    return entries;
  }

  /**
   * Renews this node's entries in the room, removes the expired entries of other (dead) nodes
   * announcing each leave once to every node, and puts back any entry of this node that was
   * removed meanwhile (this node stalled past the TTL, or Redis lost its keys). Never
   * rejects: while Redis is away (the link reports it) the next refresh catches up.
   *
   * @param roomId Room id.
   */
  async refresh(roomId: string): Promise<void> {
    const mine = this.#own.get(roomId) ?? new Map<string, Own>();
    const head = [this.nodeId, this.#time(), String(this.#entryTtlMs), this.#keyTtlMs];
    try {
      const reply = await this.#run(lua.REFRESH, roomId, [...head, ...mine.keys()]) as string[];
      const lost = reply.slice(1).flatMap((id) => {
        const own = mine.get(id);
        return own === undefined ? [] : [id, own.userId, own.userJson, own.joinedAt];
      });
      if (lost.length > 0) await this.#run(lua.RESTORE, roomId, [...head, ...lost]);
    } catch {
      // The room's actor must not fail for it; entries that expire meanwhile are put back.
    }
  }

  /** {@inheritDoc Presence.watch} */
  watch(roomId: string, listener: PresenceListener): Promise<void> {
    return this.#feed.watch(roomId, listener);
  }

  /** {@inheritDoc Presence.unwatch} */
  unwatch(roomId: string, listener: PresenceListener): Promise<void> {
    return this.#feed.unwatch(roomId, listener);
  }

  /** {@inheritDoc Presence.clear} */
  async clear(roomId: string): Promise<void> {
    this.#own.delete(roomId);
    const keys = lua.PRESENCE_KEY_PARTS.map((part) => this.#keys.room(roomId, part));
    await this.#link.command(["DEL", ...keys], keys[0]);
  }

  #time(): string {
    return String(this.#now());
  }

  #run(script: LuaScript, roomId: string, args: string[]): Promise<RedisReply> {
    const keys = lua.PRESENCE_KEY_PARTS.map((part) => this.#keys.room(roomId, part));
    return this.#link.eval(script, [...keys, this.#keys.channel(roomId)], args);
  }
}
