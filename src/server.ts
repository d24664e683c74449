/**
 * Builds a roomd server from its parts: rooms, limits, routes, and the drain at shutdown.
 * `main.ts` and the integration tests both use it.
 *
 * @module
 */
import { type ListenAddress, ServerOrigins } from "./auth/server_origins.ts";
import type { TokenVerifier } from "./auth/verifier.ts";
import type { Broker } from "./broker/broker.ts";
import type { RoomControl } from "./control/room_control.ts";
import type { Presence } from "./presence/presence.ts";
import type { Config } from "./config.ts";
import { withCors } from "./http/cors.ts";
import { devTokenRoute } from "./http/dev_token_route.ts";
import { docsRoutes } from "./docs/docs_routes.ts";
import { healthRoutes } from "./http/health_routes.ts";
import type { HttpDeps } from "./http/deps.ts";
import { jsonError } from "./http/json.ts";
import { messageRoutes } from "./http/message_routes.ts";
import { roomRoutes } from "./http/room_routes.ts";
import { pageRoutes } from "./http/page_routes.ts";
import { parseRoomId } from "./http/room_id.ts";
import { Router } from "./http/router.ts";
import { maskTokenOnRequestSpan, tagRequestSpan } from "./http/tracing.ts";
import { statsRoute } from "./http/stats_route.ts";
import { wsRoute } from "./http/ws_route.ts";
import { connectCheckRoute } from "./http/connect_route.ts";
import type { Logger } from "./log.ts";
import type { Metrics } from "./metrics/metrics.ts";
import { buildTypeRegistry } from "./protocol/schemas.ts";
import { Janitor } from "./room/janitor.ts";
import { RoomRegistry } from "./room/registry.ts";
import { StoreError } from "./store/store_error.ts";
import type { Store } from "./store/types.ts";
import type { RequestHandler } from "./transport/transport.ts";
import { CloseCode } from "./ws/close_codes.ts";
import { ExpiryScheduler } from "./session/expiry_scheduler.ts";
import { ConnectionLimits } from "./limits/connection_limits.ts";
import { JoinLimiter } from "./limits/join_limiter.ts";
import { OversizePenalties } from "./limits/oversize_penalties.ts";
import { SharedBuckets } from "./limits/message_limiter.ts";
import { LocalUserLimits } from "./limits/local_user_limits.ts";
import type { UserLimits } from "./limits/user_limits.ts";

/** What a server is built from. */
export interface RoomdOptions {
  /** Configuration. */
  config: Config;
  /** Storage engine (opened by the caller, closed by `shutdown`). */
  store: Store;
  /** Publishing engine over `store` (opened by the caller, closed by `shutdown`). */
  broker: Broker;
  /** Room changes between nodes. */
  control: RoomControl;
  /** Who is in which room, and capacity. */
  presence: Presence;
  /**
   * Per-user limits counted across nodes (closed by `shutdown`; default: counted in this
   * process, as a single node is the whole server).
   */
  userLimits?: UserLimits;
  /** Closes what the engines share, last at shutdown (the Redis link). */
  closeEngine?: () => Promise<void>;
  /** Metrics (closed by `shutdown`). */
  metrics: Metrics;
  /** Root logger. */
  log: Logger;
  /** Token verifier. */
  verifier: TokenVerifier;
  /** Time between cleanup sweeps (default 10 s). */
  janitorIntervalMs?: number;
  /** The HS256 secret tokens are verified with, if any: dev mode signs demo tokens with it. */
  signingSecret?: string;
}

/** A built server, ready for a transport (`src/transport/`). */
export interface Roomd {
  /** The request handler. */
  handler: RequestHandler;
  /**
   * Tells the server the address it listens on, which decides its own (loopback) origins; call
   * it once the listener is bound. Until then only configured origins are allowed.
   *
   * @param addr The bound address.
   */
  listening(addr: ListenAddress): void;
  /** Live rooms. */
  readonly registry: RoomRegistry;
  /** The cleanup task (its `sweep` can be called directly). */
  readonly janitor: Janitor;
  /** Stops accepting, closes sockets with 1001, settles pending publishes, closes the engines. */
  shutdown(): Promise<void>;
}

/**
 * Wires the parts of a server.
 *
 * @param options The parts.
 * @returns The server.
 */
export function createRoomd(options: RoomdOptions): Roomd {
  const { config, store, broker, control, presence, metrics, log } = options;
  const types = buildTypeRegistry(config.customTypes);
  const registry = new RoomRegistry({
    config,
    store,
    broker,
    control,
    presence,
    metrics,
    types,
    log: log.getChild("room"),
  });
  metrics.setRoomSource(function* () {
    for (const room of registry.rooms()) {
      yield {
        id: room.id,
        members: room.memberCount,
        connections: room.connectionCount,
        mailboxDepth: room.mailboxDepth,
      };
    }
  });
  let draining = false;
  const userLimits = options.userLimits ?? new LocalUserLimits(config);
  const origins = new ServerOrigins(config);
  const deps: HttpDeps = {
    config,
    store,
    broker,
    presence,
    metrics,
    types,
    registry,
    log: log.getChild("http"),
    verifier: options.verifier,
    // Per user is counted by `userLimits`, across nodes; these are this node's own limits.
    limits: new ConnectionLimits({ ...config, maxConnectionsPerUser: Infinity }),
    userLimits,
    joins: new JoinLimiter(config.joinRate),
    penalties: new OversizePenalties(),
    userBuckets: new SharedBuckets(),
    expiries: new ExpiryScheduler(),
    origins,
    draining: () => draining,
  };
  const router = new Router([
    ...healthRoutes(deps),
    ...roomRoutes(deps),
    ...messageRoutes(deps),
    statsRoute(deps),
    wsRoute(deps),
    connectCheckRoute(deps),
    ...docsRoutes(config),
    ...pageRoutes(),
    ...(config.dev && options.signingSecret !== undefined
      ? [devTokenRoute(deps, options.signingSecret)]
      : []),
  ], (pattern, params) => {
    // Every `:room_id` and `:id` in roomd's table is a room id.
    tagRequestSpan(pattern, () => parseRoomId(params.room_id ?? params.id));
  });
  const janitor = new Janitor(store, registry, log.getChild("janitor"), {
    emptyRoomTtlS: config.emptyRoomTtlS,
    historyTtlS: config.historyTtlS,
    intervalMs: options.janitorIntervalMs ?? 10_000,
  });
  janitor.start();
  let shutdown: Promise<void> | null = null;
  return {
    registry,
    janitor,
    listening(addr) {
      const warning = origins.listening(addr);
      if (warning !== null) log.warning(warning);
      else log.info("Allowed browser origins: {origins}", { origins: origins.list.join(", ") });
    },
    async handler(request, info) {
      maskTokenOnRequestSpan(request.url);
      try {
        const url = new URL(request.url);
        return await withCors(
          request,
          url,
          origins,
          (path) => router.methodsFor(path),
          () => router.handle(request, info.remoteAddr, url),
        );
      } catch (error) {
        if (error instanceof StoreError) {
          deps.log.warn("Cannot complete request {method} {path}: {error}", {
            method: request.method,
            path: new URL(request.url).pathname,
            error: error.message,
          });
          return jsonError(503, "unavailable", "Cannot complete request: storage is unavailable", {
            "retry-after": "1",
          });
        }
        deps.log.error("Request {method} {path} failed: {error}", {
          method: request.method,
          path: new URL(request.url).pathname,
          error: error instanceof Error ? (error.stack ?? error.message) : String(error),
        });
        return jsonError(500, "internal_error", "Cannot complete request: internal error");
      }
    },
    shutdown() {
      shutdown ??= (async () => {
        draining = true;
        await registry.closeAll(
          CloseCode.goingAway,
          "server shutting down",
          Math.round(config.shutdownTimeoutMs * 0.75),
        );
        deps.expiries.close();
        deps.joins.close();
        await janitor.stop();
        await userLimits.close();
        await broker.close();
        await store.close();
        await options.closeEngine?.();
        metrics.close();
      })();
      return shutdown;
    },
  };
}
