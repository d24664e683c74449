/**
 * The one place where configuration chooses the engine behind every seam: the store, the
 * {@linkcode Broker}, presence, the room-control channel and the per-user limits. With
 * `ROOMD_REDIS_URL` every seam is Redis (several nodes act as one server); otherwise they are
 * in-process and `ROOMD_STORE` picks SQLite or memory.
 *
 * @module
 */
import type { Broker } from "./broker/broker.ts";
import { LocalBroker, LocalBrokerHub } from "./broker/local_broker.ts";
import { LocalControl, LocalControlHub } from "./control/local_control.ts";
import type { RoomControl } from "./control/room_control.ts";
import type { Config } from "./config.ts";
import type { Logger } from "./log.ts";
import type { Metrics } from "./metrics/metrics.ts";
import { openStore } from "./store/open_store.ts";
import { openRedisEngine } from "./redis/redis_engine.ts";
import type { Store } from "./store/types.ts";
import { LocalPresence, LocalPresenceHub } from "./presence/local_presence.ts";
import type { Presence } from "./presence/presence.ts";
import { LocalUserLimits } from "./limits/local_user_limits.ts";
import type { UserLimits } from "./limits/user_limits.ts";

/** The engines of one node. */
export interface Engine {
  /** Room records (and, for the local engine, history). */
  store: Store;
  /** Publishing, fan-out and history. */
  broker: Broker;
  /** Room changes between nodes. */
  control: RoomControl;
  /** Who is in which room, and capacity. */
  presence: Presence;
  /** Per-user connection and join limits (across nodes on a shared engine). */
  limits: UserLimits;
  /** Releases what the seams share (a shared engine's connections), after the store closes. */
  close: () => Promise<void>;
}

/** What an engine reports to. */
export interface EngineHooks {
  /** Store write latencies. */
  metrics: Metrics;
  /** Root logger; the engine logs under `store`. */
  log: Logger;
  /** Wraps the store before anything uses it (tests count or fail its calls). */
  wrapStore?: (store: Store) => Store;
}

/**
 * Opens the configured engine.
 *
 * @param config Server configuration.
 * @param hooks Metrics, logger and an optional store wrapper.
 * @returns The engines; `broker.close()` then `store.close()` release them.
 * @throws {StoreError} When the SQLite database cannot be opened.
 *
 * @example An in-memory engine
 * ```ts
 * import { openEngine } from "./engine.ts";
 * import { parseConfig } from "./config.ts";
 * import { rootLogger } from "./log.ts";
 * import { Metrics } from "./metrics/metrics.ts";
 *
 * const metrics = new Metrics({ collectProcess: false });
 * const engine = openEngine(parseConfig({ ROOMD_STORE: "memory" }), {
 *   metrics,
 *   log: rootLogger(),
 * });
 * await engine.broker.close();
 * await engine.store.close();
 * metrics.close();
 * ```
 */
export function openEngine(config: Config, hooks: EngineHooks): Engine {
  const { metrics, wrapStore = (store) => store } = hooks;
  const log = hooks.log.getChild("store");
  const nodeId = crypto.randomUUID();
  if (config.store === "redis") {
    const redis = openRedisEngine(config, hooks.log.getChild("redis"), nodeId);
    return { ...redis, store: wrapStore(redis.store) };
  }
  const store = wrapStore(openStore({ ...config, store: config.store }));
  const hub = new LocalBrokerHub(store, {
    windowMs: config.commitWindowMs,
    onWritten: (seconds) => metrics.observeStoreWrite(seconds),
    onHealth: (failure) => {
      if (failure) {
        log.warn("Cannot write messages: {error}; not ready until a write succeeds", {
          error: failure.message,
        });
      } else log.info("Writes succeed again; ready");
    },
  });
  return {
    store,
    broker: new LocalBroker(hub, nodeId),
    control: new LocalControl(new LocalControlHub(), nodeId),
    presence: new LocalPresence(new LocalPresenceHub(), nodeId),
    limits: new LocalUserLimits(config),
    close: () => Promise.resolve(),
  };
}
