/**
 * The Redis engine of the per-user limits seam. Each connection slot carries its node's id
 * and an expiry; a node renews its own slots every third of the TTL, so the slots of a node
 * that died expire within the TTL. When Redis cannot be asked, slots and joins are refused
 * (`unavailable`), never let through unchecked.
 *
 * @module
 */
import { JOIN_WINDOW_MS } from "../limits/join_limiter.ts";
import type {
  JoinVerdict,
  UserLimits,
  UserLimitSettings,
  UserSlot,
} from "../limits/user_limits.ts";
import type { RedisKeys } from "./keys.ts";
import type { LuaScript, RedisLink } from "./redis_link.ts";
import { ACQUIRE, ATTEMPT, RENEW } from "./user_limits_lua.ts";

/** Options of {@linkcode RedisUserLimits}. */
export interface RedisUserLimitsOptions extends UserLimitSettings {
  /** How long a slot lives without renewal, in ms (`ROOMD_PRESENCE_TTL_S` × 1000). */
  entryTtlMs: number;
  /** The clock, in ms (default `Date.now`); every node must agree on it within seconds. */
  now?: () => number;
}

/**
 * One node's per-user limits over Redis.
 *
 * @example
 * ```ts ignore
 * const limits = new RedisUserLimits(link, keys, nodeId, {
 *   entryTtlMs: 30_000,
 *   maxConnectionsPerUser: 20,
 *   joinRate: 10,
 * });
 * const slot = await limits.acquire("ana", connectionId);
 * ```
 */
export class RedisUserLimits implements UserLimits {
  readonly #link: RedisLink;
  readonly #keys: RedisKeys;
  readonly #nodeId: string;
  readonly #options: RedisUserLimitsOptions;
  readonly #now: () => number;
  /** This node's connections, by user. */
  readonly #own = new Map<string, Set<string>>();
  #timer: ReturnType<typeof setInterval> | undefined;

  /**
   * @param link The node's Redis.
   * @param keys Key names.
   * @param nodeId This node's id.
   * @param options Limits, slot TTL and clock.
   */
  constructor(link: RedisLink, keys: RedisKeys, nodeId: string, options: RedisUserLimitsOptions) {
    this.#link = link;
    this.#keys = keys;
    this.#nodeId = nodeId;
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  /** {@inheritDoc UserLimits.acquire} */
  async acquire(userId: string, connectionId: string): Promise<UserSlot> {
    const slot = await this.#slot(userId, connectionId, "1");
    if (!slot.ok) return slot;
    let own = this.#own.get(userId);
    if (own === undefined) this.#own.set(userId, own = new Set());
    own.add(connectionId);
    this.#timer ??= setInterval(
      () => void this.refresh(),
      Math.max(1, Math.floor(this.#options.entryTtlMs / 3)),
    );
    return slot;
  }

  /** {@inheritDoc UserLimits.check} */
  check(userId: string): Promise<UserSlot> {
    return this.#slot(userId, "", "0");
  }

  /** {@inheritDoc UserLimits.release} */
  async release(userId: string, connectionId: string): Promise<void> {
    const own = this.#own.get(userId);
    if (own === undefined || !own.delete(connectionId)) return;
    if (own.size === 0) this.#own.delete(userId);
    if (this.#own.size === 0) this.#stopTimer();
    const key = this.#keys.user(userId, "conns");
    try {
      await this.#link.command(["ZREM", key, this.#member(connectionId)], key);
    } catch {
      // No longer renewed, the slot expires within the TTL.
    }
  }

  /** {@inheritDoc UserLimits.attemptJoin} */
  attemptJoin(userId: string): Promise<JoinVerdict> {
    return this.#attempt(userId, "1");
  }

  /** {@inheritDoc UserLimits.peekJoin} */
  peekJoin(userId: string): Promise<JoinVerdict> {
    return this.#attempt(userId, "0");
  }

  /**
   * Renews this node's slots (run every third of the TTL while it holds any); a slot lost
   * meanwhile is put back, since its connection is still open.
   */
  async refresh(): Promise<void> {
    const expiry = String(this.#now() + this.#options.entryTtlMs);
    const keyTtl = String(2 * this.#options.entryTtlMs);
    for (const [userId, own] of [...this.#own]) {
      const members = [...own].map((id) => this.#member(id));
      try {
        await this.#link.eval(RENEW, [this.#keys.user(userId, "conns")], [
          expiry,
          keyTtl,
          ...members,
        ]);
      } catch {
        // Redis is away; the next round tries again.
      }
    }
  }

  /** Stops renewing slots. */
  close(): Promise<void> {
    this.#stopTimer();
    return Promise.resolve();
  }

  async #slot(userId: string, connectionId: string, take: "0" | "1"): Promise<UserSlot> {
    const limit = this.#options.maxConnectionsPerUser;
    const reply = await this.#eval(ACQUIRE, this.#keys.user(userId, "conns"), [
      this.#member(connectionId),
      String(this.#now()),
      String(this.#options.entryTtlMs),
      String(limit),
      String(2 * this.#options.entryTtlMs),
      take,
    ]);
    if (typeof reply === "string") return { ok: false, reason: "unavailable", message: reply };
    return reply === -1 ? { ok: true } : { ok: false, reason: "limit", held: reply, limit };
  }

  async #attempt(userId: string, take: "0" | "1"): Promise<JoinVerdict> {
    const reply = await this.#eval(ATTEMPT, this.#keys.user(userId, "joins"), [
      String(this.#now()),
      String(this.#options.joinRate),
      String(JOIN_WINDOW_MS),
      take,
    ]);
    if (typeof reply === "string") return { ok: false, reason: "unavailable", message: reply };
    return reply === 0 ? { ok: true } : { ok: false, reason: "rate", retryAfterS: reply };
  }

  /** Runs a script on one key; a number, or why Redis could not answer. */
  async #eval(script: LuaScript, key: string, args: string[]): Promise<number | string> {
    try {
      return Number(await this.#link.eval(script, [key], args));
    } catch {
      return "per-user limits cannot be counted while Redis is unavailable";
    }
  }

  #member(connectionId: string): string {
    return `${this.#nodeId} ${connectionId}`;
  }

  #stopTimer(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
