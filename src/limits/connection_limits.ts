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

/** A taken slot, or why none was given. */
export type SlotResult =
  | { ok: true; release: () => void }
  | { ok: false; status: 503 | 429; code: "server_full" | "too_many_connections"; message: string };

/**
 * Counts of open (and admitted) connections.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { ConnectionLimits } from "./connection_limits.ts";
 * const limits = new ConnectionLimits({ maxConnections: 1, maxConnectionsPerUser: 1, maxConnectionsPerIp: 1 });
 * const slot = limits.acquire("u1", "127.0.0.1");
 * assert.ok(slot.ok && !limits.acquire("u2", "127.0.0.2").ok);
 * if (slot.ok) slot.release();
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
   * @returns A release function (idempotent), or the refusal.
   */
  acquire(userId: string, ip: string): SlotResult {
    const refusal = this.check(userId, ip);
    if (refusal !== null) return refusal;
    // A counter without a limit is not kept: it would hold an entry per idle connection.
    const perUser = this.#settings.maxConnectionsPerUser === Infinity ? null : this.#perUser;
    const perIp = this.#settings.maxConnectionsPerIp === Infinity ? null : this.#perIp;
    this.#total++;
    if (perUser) perUser.set(userId, (perUser.get(userId) ?? 0) + 1);
    if (perIp) perIp.set(ip, (perIp.get(ip) ?? 0) + 1);
    let released = false;
    return {
      ok: true,
      release: () => {
        if (released) return;
        released = true;
        this.#total--;
        if (perUser) decrement(perUser, userId);
        if (perIp) decrement(perIp, ip);
      },
    };
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

function decrement(counts: Map<string, number>, key: string): void {
  const n = (counts.get(key) ?? 1) - 1;
  if (n <= 0) counts.delete(key);
  else counts.set(key, n);
}
