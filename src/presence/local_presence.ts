/**
 * The in-process Presence engine: one roster per room in memory, shared by the nodes of a
 * {@linkcode LocalPresenceHub} (one in production; two in the tests of several nodes). Each
 * call runs to completion without awaiting, so a reservation's check and take are atomic.
 *
 * @module
 */
import type { MemberInfo } from "../protocol/envelope.ts";
import type {
  MemberDetail,
  MemberPage,
  Presence,
  PresenceCount,
  PresenceDiff,
  PresenceEntry,
  PresenceListener,
  Reservation,
} from "./presence.ts";
import { type Entry, Roster, type User } from "./roster.ts";

/** Options of a {@linkcode LocalPresenceHub}. */
export interface LocalPresenceOptions {
  /** How long a connection's entry lives without a refresh, in ms (default: forever). */
  entryTtlMs?: number;
  /** How long a reservation lives, in ms (default 30 s). */
  reservationTtlMs?: number;
  /** The clock, in ms (default `Date.now`). */
  now?: () => number;
}

/** The rosters of one process, shared by its nodes. */
export class LocalPresenceHub {
  /** Rosters by room id. */
  readonly rooms = new Map<string, Roster>();
  /** Who watches each room's diffs, by room id. */
  readonly watchers = new Map<string, { node: string; listener: PresenceListener }[]>();
  /** Entry lifetime without refresh (ms). */
  readonly entryTtlMs: number;
  /** Reservation lifetime (ms). */
  readonly reservationTtlMs: number;
  /** The clock. */
  readonly now: () => number;

  /** @param options TTLs and clock. */
  constructor(options: LocalPresenceOptions = {}) {
    this.entryTtlMs = options.entryTtlMs ?? Infinity;
    this.reservationTtlMs = options.reservationTtlMs ?? 30_000;
    this.now = options.now ?? Date.now;
  }

  /**
   * A room's roster with expired entries dropped.
   *
   * @param roomId Room id.
   * @returns The roster (created empty when needed).
   */
  roster(roomId: string): Roster {
    let roster = this.rooms.get(roomId);
    if (roster === undefined) this.rooms.set(roomId, roster = new Roster());
    roster.purge(this.now(), this.entryTtlMs !== Infinity);
    return roster;
  }
}

/**
 * One node's view of a {@linkcode LocalPresenceHub}.
 *
 * @example Capacity is reserved, then a join is the user's first connection
 * ```ts
 * import assert from "assert";
 * import { LocalPresence, LocalPresenceHub } from "./local_presence.ts";
 *
 * const presence = new LocalPresence(new LocalPresenceHub(), "node-a");
 * assert.deepEqual(await presence.reserve("lobby", "c1", 1), { ok: true });
 * assert.deepEqual(await presence.reserve("lobby", "c2", 1), { ok: false, taken: 1 });
 * const ana = { id: "ana", name: "Ana" };
 * assert.deepEqual(await presence.join("lobby", "c1", ana, Date.now()), { first: true });
 * assert.deepEqual(await presence.count("lobby"), { members: 1, connections: 1 });
 * ```
 */
export class LocalPresence implements Presence {
  /** This node's id. */
  readonly nodeId: string;
  readonly #hub: LocalPresenceHub;

  /**
   * @param hub What the nodes share.
   * @param nodeId This node's id.
   */
  constructor(hub: LocalPresenceHub, nodeId: string) {
    this.#hub = hub;
    this.nodeId = nodeId;
  }

  /** A third of the entry TTL; 0 when entries never expire. */
  get refreshMs(): number {
    const ttl = this.#hub.entryTtlMs;
    return ttl === Infinity ? 0 : Math.max(1, Math.floor(ttl / 3));
  }

  /** {@inheritDoc Presence.reserve} */
  reserve(roomId: string, connectionId: string, capacity: number): Promise<Reservation> {
    const roster = this.#hub.roster(roomId);
    const taken = roster.entries.size + roster.reservations.size;
    if (capacity > 0 && taken >= capacity) return Promise.resolve({ ok: false, taken });
    const expiresAt = this.#hub.now() + this.#hub.reservationTtlMs;
    roster.reservations.set(connectionId, { node: this.nodeId, expiresAt });
    return Promise.resolve({ ok: true });
  }

  /** {@inheritDoc Presence.release} */
  release(roomId: string, connectionId: string): Promise<boolean> {
    const released = this.#hub.roster(roomId).reservations.delete(connectionId);
    this.#tidy(roomId);
    return Promise.resolve(released);
  }

  /** {@inheritDoc Presence.join} */
  join(
    roomId: string,
    connectionId: string,
    user: MemberInfo,
    joinedAt: number,
  ): Promise<{ first: boolean } | null> {
    const roster = this.#hub.roster(roomId);
    if (!roster.reservations.delete(connectionId)) return Promise.resolve(null);
    let present = roster.users.get(user.id);
    const first = present === undefined;
    if (present === undefined) {
      this.#tell(roomId, { action: "join", user });
      present = { info: user, connections: 0, joinedAt, joinedIso: undefined, number: 0 };
      present.number = roster.order.add(present);
      roster.users.set(user.id, present);
    }
    const entry: Entry = { node: this.nodeId, expiresAt: this.#expiry(), joinedAt, user: present };
    present.connections++;
    roster.entries.set(connectionId, entry);
    return Promise.resolve({ first });
  }

  /** {@inheritDoc Presence.leave} */
  leave(roomId: string, connectionId: string): Promise<{ last: boolean; user: MemberInfo } | null> {
    const left = this.#hub.roster(roomId).remove(connectionId);
    if (left?.last) this.#tell(roomId, { action: "leave", user: left.user });
    this.#tidy(roomId);
    return Promise.resolve(left);
  }

  /** {@inheritDoc Presence.count} */
  count(roomId: string): Promise<PresenceCount> {
    const roster = this.#hub.roster(roomId);
    return Promise.resolve({ members: roster.users.size, connections: roster.entries.size });
  }

  /** {@inheritDoc Presence.members} */
  members(
    roomId: string,
    cursor: string | undefined,
    limit: number,
  ): Promise<MemberPage<MemberDetail> | null> {
    return Promise.resolve(this.#page(roomId, cursor, limit, (user) => ({
      ...user.info,
      connections: user.connections,
      joined_at: user.joinedIso ??= new Date(user.joinedAt).toISOString(),
    })));
  }

  /** {@inheritDoc Presence.memberInfos} */
  memberInfos(
    roomId: string,
    cursor: string | undefined,
    limit: number,
  ): Promise<MemberPage<MemberInfo> | null> {
    return Promise.resolve(this.#page(roomId, cursor, limit, (user) => user.info));
  }

  /** {@inheritDoc Presence.entries} */
  entries(roomId: string): Promise<PresenceEntry[]> {
    const entries: PresenceEntry[] = [];
    for (const [connectionId, entry] of this.#hub.roster(roomId).entries) {
      entries.push({
        connectionId,
        user: entry.user.info,
        node: entry.node,
        joinedAt: entry.joinedAt,
      });
    }
    return Promise.resolve(entries);
  }

  /** {@inheritDoc Presence.refresh} */
  refresh(roomId: string): Promise<void> {
    const expiresAt = this.#expiry();
    for (const entry of this.#hub.roster(roomId).entries.values()) {
      if (entry.node === this.nodeId) entry.expiresAt = expiresAt;
    }
    return Promise.resolve();
  }

  /** {@inheritDoc Presence.watch} */
  watch(roomId: string, listener: PresenceListener): Promise<void> {
    const list = this.#hub.watchers.get(roomId) ?? [];
    list.push({ node: this.nodeId, listener });
    this.#hub.watchers.set(roomId, list);
    return Promise.resolve();
  }

  /** {@inheritDoc Presence.unwatch} */
  unwatch(roomId: string, listener: PresenceListener): Promise<void> {
    const left = (this.#hub.watchers.get(roomId) ?? []).filter((w) => w.listener !== listener);
    if (left.length > 0) this.#hub.watchers.set(roomId, left);
    else this.#hub.watchers.delete(roomId);
    return Promise.resolve();
  }

  /** {@inheritDoc Presence.clear} */
  clear(roomId: string): Promise<void> {
    this.#hub.rooms.delete(roomId);
    return Promise.resolve();
  }

  /** Tells the other nodes' watchers of a diff made here. */
  #tell(roomId: string, diff: PresenceDiff): void {
    const watchers = this.#hub.watchers.get(roomId);
    if (watchers === undefined) return;
    for (const w of watchers) if (w.node !== this.nodeId) w.listener(diff);
  }

  /** Forgets an empty roster, so that rooms no one uses cost nothing. */
  #tidy(roomId: string): void {
    const roster = this.#hub.rooms.get(roomId);
    if (roster && roster.users.size === 0 && roster.reservations.size === 0) {
      this.#hub.rooms.delete(roomId);
    }
  }

  #page<T>(
    roomId: string,
    cursor: string | undefined,
    limit: number,
    item: (user: User) => T,
  ): MemberPage<T> | null {
    const roster = this.#hub.roster(roomId);
    const page = roster.order.page(cursor, limit);
    if (page === null) return null;
    return { members: page.items.map(item), count: roster.users.size, cursor: page.cursor };
  }

  #expiry(): number {
    return this.#hub.now() + this.#hub.entryTtlMs;
  }
}
