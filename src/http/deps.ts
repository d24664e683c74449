/**
 * The parts route handlers are built from.
 *
 * @module
 */
import type { AllowedOrigins } from "../auth/origin.ts";
import type { TokenVerifier } from "../auth/verifier.ts";
import type { Broker } from "../broker/broker.ts";
import type { Presence } from "../presence/presence.ts";
import type { Config } from "../config.ts";
import type { Logger } from "../log.ts";
import type { Metrics } from "../metrics/metrics.ts";
import type { TypeRegistry } from "../protocol/schemas.ts";
import type { RoomRegistry } from "../room/registry.ts";
import type { Store } from "../store/types.ts";
import type { ExpiryScheduler } from "../session/expiry_scheduler.ts";
import type { ConnectionLimits } from "../limits/connection_limits.ts";
import type { OversizePenalties } from "../limits/oversize_penalties.ts";
import type { JoinLimiter } from "../limits/join_limiter.ts";
import type { SharedBuckets } from "../limits/message_limiter.ts";
import type { UserLimits } from "../limits/user_limits.ts";

/** Shared parts of the server, passed to every group of routes. */
export interface HttpDeps {
  /** Configuration. */
  readonly config: Config;
  /** Rooms and history. */
  readonly store: Store;
  /** Publishing engine (its write health decides readiness). */
  readonly broker: Broker;
  /** Who is in which room, on every node. */
  readonly presence: Presence;
  /** Counters. */
  readonly metrics: Metrics;
  /** Logger (`roomd.http`). */
  readonly log: Logger;
  /** Token verifier. */
  readonly verifier: TokenVerifier;
  /** Live rooms. */
  readonly registry: RoomRegistry;
  /** Publishable message types. */
  readonly types: TypeRegistry;
  /** This node's connection limits: in total and per IP (per user is `userLimits`). */
  readonly limits: ConnectionLimits;
  /** Per-user limits across nodes: connections and join attempts. */
  readonly userLimits: UserLimits;
  /** This node's join-attempt rate limits per IP. */
  readonly joins: JoinLimiter;
  /** Reconnect penalties of clients closed with 1009, by `ip:` and `user:`. */
  readonly penalties: OversizePenalties;
  /** Token-expiry deadlines of open connections. */
  readonly expiries: ExpiryScheduler;
  /** Per-user message buckets. */
  readonly userBuckets: SharedBuckets;
  /** The origins browsers may come from (WebSockets, CORS, dev tokens): see `checkOrigin`. */
  readonly origins: AllowedOrigins;
  /** Whether the server is draining (shutting down). */
  readonly draining: () => boolean;
}
