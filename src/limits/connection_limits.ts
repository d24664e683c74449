/**
 * Connection limits: in total, per user and per IP. A slot is taken when a connection is
 * admitted (before the upgrade), so a burst of concurrent attempts cannot overshoot.
 *
 * @module
 */

/** The limits. */
export interface ConnectionLimitSettings {
  /** Most connections on this node. */
  maxConnections: number;
  /** Most connections of one user. */
  maxConnectionsPerUser: number;
  /** Most connections from one address. */
  maxConnectionsPerIp: number;
}

/** A taken slot (give it back with {@linkcode ConnectionLimits.release}), or why none was given. */
export type SlotResult =
  | { ok: true }
  | { ok: false; status: 503 | 429; code: "server_full" | "too_many_connections"; message: string };

const TAKEN: SlotResult = { ok: true };

/**
 * Counts of open (and admitted) connections.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { ConnectionLimits } from "./connection_limits.ts";
 * const limits = new ConnectionLimits({ maxConnections: 1, maxConnectionsPerUser: 1, maxConnectionsPerIp: 1 });
 * assert.ok(limits.acquire("u1", "127.0.0.1").ok);
 * assert.ok(!limits.acquire("u2", "127.0.0.2").ok);
 * limits.release("u1", "127.0.0.1");
 * assert.ok(limits.acquire("u2", "127.0.0.2").ok);
 * ```
 */
export class ConnectionLimits {
  readonly #settings: ConnectionLimitSettings;
  readonly #perUser = new Map<string, number>();
  readonly #perIp = new Map<string, number>();
  #total = 0;

  /** @param settings The limits. */
  constructor(settings: ConnectionLimitSettings) {
    this.#settings = settings;
  }

  /** Connections counted now. */
  get total(): number {
    return this.#total;
  }

  /**
   * Takes a slot for a user at an address.
   *
   * @param userId The user.
   * @param ip The client address.
   * @returns The slot (to give back with {@linkcode release} exactly once), or the refusal.
   */
  acquire(userId: string, ip: string): SlotResult {
    const refusal = this.check(userId, ip);
    if (refusal !== null) return refusal;
    this.#total++;
    // A counter without a limit is not kept: it would hold an entry per idle connection.
    if (this.#settings.maxConnectionsPerUser !== Infinity) increment(this.#perUser, userId);
    if (this.#settings.maxConnectionsPerIp !== Infinity) increment(this.#perIp, ip);
    return TAKEN;
  }

  /**
   * Gives back a slot that {@linkcode acquire} gave for this user and address. The caller
   * releases each slot once (the connection's session does, when it ends): the limits keep
   * counts only, not a handle per connection.
   *
   * @param userId The user.
   * @param ip The client address.
   */
  release(userId: string, ip: string): void {
    if (this.#total === 0) return;
    this.#total--;
    decrement(this.#perUser, userId);
    decrement(this.#perIp, ip);
  }

  /**
   * Whether {@linkcode acquire} would refuse a slot now, without taking one.
   *
   * @param userId The user.
   * @param ip The client address.
   * @returns The refusal, or `null` when a slot is free.
   */
  check(userId: string, ip: string): Extract<SlotResult, { ok: false }> | null {
    const s = this.#settings;
    if (this.#total >= s.maxConnections) {
      return {
        ok: false,
        status: 503,
        code: "server_full",
        message:
          `Cannot connect: server is full (${this.#total} of ${s.maxConnections} connections)`,
      };
    }
    const user = this.#perUser.get(userId) ?? 0;
    if (user >= s.maxConnectionsPerUser) {
      return {
        ok: false,
        status: 429,
        code: "too_many_connections",
        message:
          `Cannot connect: user has too many connections (${user} of ${s.maxConnectionsPerUser})`,
      };
    }
    const fromIp = this.#perIp.get(ip) ?? 0;
    if (fromIp >= s.maxConnectionsPerIp) {
      return {
        ok: false,
        status: 429,
        code: "too_many_connections",
        message:
          `Cannot connect: address has too many connections (${fromIp} of ${s.maxConnectionsPerIp})`,
      };
    }
    return null;
  }
}

function increment(counts: Map<string, number>, key: string): void {
  counts.set(key, (counts.get(key) ?? 0) + 1);
}

function decrement(counts: Map<string, number>, key: string): void {
  const n = counts.get(key);
  if (n === undefined) return;
  if (n <= 1) counts.delete(key);
  else counts.set(key, n - 1);
}
