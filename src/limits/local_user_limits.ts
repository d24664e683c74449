/**
 * The in-process engine of the per-user limits seam: one node is the whole server, so a
 * user's connections and join attempts are counted in memory, by the same
 * {@linkcode ConnectionLimits} and {@linkcode JoinLimiter} that count the per-node limits.
 *
 * @module
 */
import { ConnectionLimits } from "./connection_limits.ts";
import { JoinLimiter } from "./join_limiter.ts";
import type { Clock } from "./token_bucket.ts";
import type { JoinVerdict, UserLimits, UserLimitSettings, UserSlot } from "./user_limits.ts";

/**
 * Per-user limits of a single node.
 *
 * @example A user's third connection is refused at a limit of two
 * ```ts
 * import assert from "assert";
 * import { LocalUserLimits } from "./local_user_limits.ts";
 *
 * const limits = new LocalUserLimits({ maxConnectionsPerUser: 2, joinRate: 10 });
 * assert.deepEqual(await limits.acquire("ana", "c1"), { ok: true });
 * assert.deepEqual(await limits.acquire("ana", "c2"), { ok: true });
 * assert.deepEqual(await limits.acquire("ana", "c3"), { ok: false, reason: "limit", held: 2, limit: 2 });
 * await limits.release("ana", "c1");
 * assert.deepEqual(await limits.acquire("ana", "c3"), { ok: true });
 * ```
 */
export class LocalUserLimits implements UserLimits {
  readonly #max: number;
  /** Counts users only: the totals and addresses are the node's own `ConnectionLimits`. */
  readonly #connections: ConnectionLimits;
  readonly #joins: JoinLimiter;
  /** The release of each held slot, by connection id. */
  readonly #slots = new Map<string, () => void>();

  /**
   * @param settings The limits.
   * @param clock Milliseconds clock of the join rate (default `Date.now`).
   */
  constructor(settings: UserLimitSettings, clock: Clock = Date.now) {
    this.#max = settings.maxConnectionsPerUser;
    this.#connections = new ConnectionLimits({
      maxConnections: Infinity,
      maxConnectionsPerUser: settings.maxConnectionsPerUser,
      maxConnectionsPerIp: Infinity,
    });
    this.#joins = new JoinLimiter(settings.joinRate, clock);
  }

  /** {@inheritDoc UserLimits.acquire} */
  acquire(userId: string, connectionId: string): Promise<UserSlot> {
    if (this.#slots.has(connectionId)) return Promise.resolve({ ok: true });
    const slot = this.#connections.acquire(userId, "");
    if (!slot.ok) return this.check(userId);
    this.#slots.set(connectionId, slot.release);
    return Promise.resolve({ ok: true });
  }

  /** {@inheritDoc UserLimits.check} */
  check(userId: string): Promise<UserSlot> {
    if (this.#connections.check(userId, "") === null) return Promise.resolve({ ok: true });
    return Promise.resolve({ ok: false, reason: "limit", held: this.#max, limit: this.#max });
  }

  /** {@inheritDoc UserLimits.release} */
  release(_userId: string, connectionId: string): Promise<void> {
    this.#slots.get(connectionId)?.();
    this.#slots.delete(connectionId);
    return Promise.resolve();
  }

  /** {@inheritDoc UserLimits.attemptJoin} */
  attemptJoin(userId: string): Promise<JoinVerdict> {
    return Promise.resolve(verdict(this.#joins.attempt(`user:${userId}`)));
  }

  /** {@inheritDoc UserLimits.peekJoin} */
  peekJoin(userId: string): Promise<JoinVerdict> {
    return Promise.resolve(verdict(this.#joins.peek(`user:${userId}`)));
  }

  /** Nothing runs in the background. */
  close(): Promise<void> {
    return Promise.resolve();
  }
}

function verdict(waitS: number): JoinVerdict {
  return waitS === 0 ? { ok: true } : { ok: false, reason: "rate", retryAfterS: waitS };
}
