/**
 * The Redis engine behind every seam, chosen by `ROOMD_REDIS_URL`: one {@linkcode RedisLink}
 * per node (a single server or a Cluster), shared by the store, the broker, presence, room
 * control and the per-user limits, and one {@linkcode RoomBus} carrying every room's channel.
 * Nothing waits for Redis here: the link connects (and reconnects) in the background, and
 * `/readyz` answers 503 until it answers.
 *
 * @module
 */
import type { Config } from "../config.ts";
import type { Logger } from "../log.ts";
import { RedisKeys } from "./keys.ts";
import { RedisBroker } from "./redis_broker.ts";
import { RedisControl } from "./redis_control.ts";
import { RedisLink } from "./redis_link.ts";
import { RedisPresence } from "./redis_presence.ts";
import { RedisStore } from "./redis_store.ts";
import { RedisUserLimits } from "./redis_user_limits.ts";
import { RoomBus } from "./room_bus.ts";

/** How long an admitted connection's capacity slot waits for its socket to open, in ms. */
const RESERVATION_TTL_MS = 30_000;

/** The Redis engines of one node. */
export interface RedisEngine {
  /** Room records, history and idempotency keys. */
  store: RedisStore;
  /** Publish script, fan-out and catch-up. */
  broker: RedisBroker;
  /** Room changes between nodes. */
  control: RedisControl;
  /** Cluster-wide presence and capacity. */
  presence: RedisPresence;
  /** Cluster-wide per-user limits. */
  limits: RedisUserLimits;
  /** Closes the link, after the store. */
  close: () => Promise<void>;
}

/**
 * Opens the Redis engines of one node.
 *
 * @param config Server configuration (`redisUrls` set).
 * @param log Where the link logs (Redis away and back, the persistence warning).
 * @param nodeId This node's random id.
 * @returns The engines; they connect in the background.
 */
export function openRedisEngine(config: Config, log: Logger, nodeId: string): RedisEngine {
  const link = new RedisLink({ urls: config.redisUrls, cluster: config.redisCluster, log });
  const keys = new RedisKeys(config.redisPrefix);
  const bus = new RoomBus(link, keys);
  const entryTtlMs = config.presenceTtlS * 1000;
  const store = new RedisStore(link, keys, { historySize: config.historySize });
  return {
    store,
    broker: new RedisBroker(link, bus, store, nodeId, log.getChild("broker")),
    control: new RedisControl(bus, nodeId),
    presence: new RedisPresence(link, bus, keys, nodeId, {
      entryTtlMs,
      reservationTtlMs: RESERVATION_TTL_MS,
    }),
    limits: new RedisUserLimits(link, keys, nodeId, {
      entryTtlMs,
      maxConnectionsPerUser: config.maxConnectionsPerUser,
      joinRate: config.joinRate,
    }),
    close: () => link.close(),
  };
}
