/**
 * The per-user limits seam: the connections a user holds open and the joins a user attempts,
 * counted across every node (`ROOMD_MAX_CONNECTIONS_PER_USER`, `ROOMD_JOIN_RATE`). Limits of
 * messages, of one address and of one node stay per node (`ConnectionLimits`, `JoinLimiter`,
 * `MessageLimiter`). The in-process engine is {@linkcode LocalUserLimits}; the Redis engine
 * is `RedisUserLimits`; tests/limits/_user_limits_contract.ts is the suite both pass.
 *
 * @module
 */

/**
 * A connection slot of a user: taken, refused at the limit (`held` open on every node), or
 * `unavailable` when the shared engine cannot be asked (the handshake is refused, never let
 * through unchecked).
 */
export type UserSlot =
  | { ok: true }
  | { ok: false; reason: "limit"; held: number; limit: number }
  | { ok: false; reason: "unavailable"; message: string };

/** A join attempt: allowed, refused for `retryAfterS` seconds, or `unavailable`. */
export type JoinVerdict =
  | { ok: true }
  | { ok: false; reason: "rate"; retryAfterS: number }
  | { ok: false; reason: "unavailable"; message: string };

/** The settings every engine counts by. */
export interface UserLimitSettings {
  /** Most connections one user holds open on every node together. */
  maxConnectionsPerUser: number;
  /** Join attempts of one user per 10 s on every node together. */
  joinRate: number;
}

/** Per-user limits across nodes. One instance per node. */
export interface UserLimits {
  /**
   * Takes a connection slot of a user, unless the user holds the most already.
   *
   * @param userId The user.
   * @param connectionId The connection (unique across nodes).
   * @returns The slot, or why none.
   */
  acquire(userId: string, connectionId: string): Promise<UserSlot>;
  /**
   * Whether {@linkcode UserLimits.acquire} would give a slot now, without taking one.
   *
   * @param userId The user.
   * @returns What `acquire` would answer.
   */
  check(userId: string): Promise<UserSlot>;
  /**
   * Gives back a slot (the socket closed or was refused); a slot not held is ignored. Never
   * rejects: a slot the shared engine could not be told of expires with its node's refreshes.
   *
   * @param userId The user.
   * @param connectionId The connection.
   */
  release(userId: string, connectionId: string): Promise<void>;
  /**
   * Counts one join attempt of a user.
   *
   * @param userId The user.
   * @returns Allowed, or refused with the seconds to wait.
   */
  attemptJoin(userId: string): Promise<JoinVerdict>;
  /**
   * What {@linkcode UserLimits.attemptJoin} would answer now, without counting an attempt.
   *
   * @param userId The user.
   * @returns Allowed, or refused with the seconds to wait.
   */
  peekJoin(userId: string): Promise<JoinVerdict>;
  /** Stops any background work (the renewal of slots). */
  close(): Promise<void>;
}
