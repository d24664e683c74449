/**
 * The in-process engine of the per-user limits seam: one node is the whole server, so a
 * user's connections and join attempts are counted in memory (the joins by the same
 * {@linkcode JoinLimiter} that counts the per-node join rate).
 *
 * @module
 */
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
  /** Slots held, by user (users holding none are left out). */
  readonly #held = new Map<string, number>();
  /** The user of each held slot, by connection id. */
  readonly #slots = new Map<string, string>();
  readonly #joins: JoinLimiter;

  /**
   * @param settings The limits.
   * @param clock Milliseconds clock of the join rate (default `Date.now`).
   */
  constructor(settings: UserLimitSettings, clock: Clock = Date.now) {
    this.#max = settings.maxConnectionsPerUser;
    this.#joins = new JoinLimiter(settings.joinRate, clock);
  }

  /** {@inheritDoc UserLimits.acquire} */
  acquire(userId: string, connectionId: string): Promise<UserSlot> {
    if (this.#slots.has(connectionId)) return Promise.resolve({ ok: true });
    const held = this.#held.get(userId) ?? 0;
    if (held >= this.#max) return this.check(userId);
    this.#held.set(userId, held + 1);
    this.#slots.set(connectionId, userId);
    return Promise.resolve({ ok: true });
  }

  /** {@inheritDoc UserLimits.check} */
  check(userId: string): Promise<UserSlot> {
    if ((this.#held.get(userId) ?? 0) < this.#max) return Promise.resolve({ ok: true });
    return Promise.resolve({ ok: false, reason: "limit", held: this.#max, limit: this.#max });
  }

  /** {@inheritDoc UserLimits.release} */
  release(_userId: string, connectionId: string): Promise<void> {
    const userId = this.#slots.get(connectionId);
    if (userId === undefined) return Promise.resolve();
    this.#slots.delete(connectionId);
    const held = this.#held.get(userId)! - 1;
    if (held > 0) this.#held.set(userId, held);
    else this.#held.delete(userId);
    return Promise.resolve();
  }

  /** {@inheritDoc UserLimits.attemptJoin} */
  attemptJoin(userId: string): Promise<JoinVerdict> {
    return Promise.resolve(verdict(this.#joins.attempt(userId)));
  }

  /** {@inheritDoc UserLimits.peekJoin} */
  peekJoin(userId: string): Promise<JoinVerdict> {
    return Promise.resolve(verdict(this.#joins.peek(userId)));
  }

  /** Stops the join limiter's sweep. */
  close(): Promise<void> {
    this.#joins.close();
    return Promise.resolve();
  }
}

function verdict(waitS: number): JoinVerdict {
  return waitS === 0 ? { ok: true } : { ok: false, reason: "rate", retryAfterS: waitS };
}
