/**
 * Starts a real roomd in the test process: a real transport on 127.0.0.1 port 0 (`Deno.serve`,
 * or `node:http` + `npm:ws` when `ROOMD_TEST_TRANSPORT=ws` or the test asks for it with
 * `ROOMD_TRANSPORT`), a real SQLite file in a fresh temp dir (or the memory store when asked),
 * real sockets.
 *
 * @module
 */
import { mintToken } from "../../src/auth/mint.ts";
import { createTokenVerifier } from "../../src/auth/verifier.ts";
import { verifierOptions } from "../../src/auth/verifier_options.ts";
import { parseConfig } from "../../src/config.ts";
import { setupLogging } from "../../src/log.ts";
import { Metrics } from "../../src/metrics/metrics.ts";
import { createRoomd, type Roomd } from "../../src/server.ts";
import { openEngine } from "../../src/engine.ts";
import type { Store } from "../../src/store/types.ts";
import type { UserLimits } from "../../src/limits/user_limits.ts";
import { transportFor } from "../../src/transport/select.ts";
import { openClient, type TestClient } from "./client.ts";

/** The secret every test server signs with. */
export const TEST_SECRET = "test-secret-0123456789abcdef";

/** Claims of a test token. */
export interface TestUser {
  /** User id. */
  sub: string;
  /** Display name. */
  name?: string;
  /** Admin flag. */
  admin?: boolean;
  /** Rooms claim. */
  rooms?: string[];
}

/** A running server and ways to talk to it. */
export interface TestServer {
  /** `http://127.0.0.1:PORT`. */
  readonly origin: string;
  /** The port chosen by the OS. */
  readonly port: number;
  /** The server's parts. */
  readonly roomd: Roomd;
  /** Its store. */
  readonly store: Store;
  /** Its metrics. */
  readonly metrics: Metrics;
  /** Its data dir (removed by `close`). */
  readonly dataDir: string;
  /** Log lines written so far. */
  readonly logs: string[];
  /** Mints a token for a user (default TTL 1 h). */
  token(user: TestUser, ttl?: string | number): Promise<string>;
  /** Connects a client to a room as a user (`?since=`… via `query`). */
  connect(
    room: string,
    user: TestUser | string,
    query?: Record<string, string>,
  ): Promise<TestClient>;
  /** `fetch` against the server with an optional bearer user (a body is sent as JSON). */
  request(path: string, init?: RequestInit & { user?: TestUser }): Promise<Response>;
  /** Shuts the server down and removes its data dir. */
  close(): Promise<void>;
}

/** Environment defaults for tests: generous limits, quick room stop, quiet logs. */
const TEST_ENV: Record<string, string> = {
  PORT: "0",
  HOST: "127.0.0.1",
  ROOMD_JWT_SECRET: TEST_SECRET,
  ROOMD_LOG_LEVEL: "info",
  ROOMD_LOG_FORMAT: "json",
  ROOMD_JOIN_RATE: "100000",
  ROOMD_MSG_RATE: "100000",
  ROOMD_MSG_BURST: "100000",
  ROOMD_ROOM_GRACE_MS: "20",
  ROOMD_SHUTDOWN_TIMEOUT_MS: "2000",
};

/** The transport the suite runs on: `ROOMD_TEST_TRANSPORT` (CI runs the WebSocket tests on both). */
export const TEST_TRANSPORT = Deno.env.get("ROOMD_TEST_TRANSPORT") || "native";

/**
 * Starts a server.
 *
 * @param env Variables on top of the test defaults (`ROOMD_JWT_SECRET: ""` unsets the test
 *   secret, to verify with a public key or a key set instead).
 * @param file Config-file values (e.g. `types`).
 * @param wrapStore Wraps the opened store (e.g. in one that fails on demand).
 * @param parts Parts given to the server instead of its defaults (e.g. per-user limits shared
 *   with another server).
 * @returns The running server.
 */
export async function startServer(
  env: Record<string, string> = {},
  file: Record<string, unknown> = {},
  wrapStore: (store: Store) => Store = (store) => store,
  parts: { userLimits?: UserLimits } = {},
): Promise<TestServer> {
  const dataDir = env.ROOMD_DATA_DIR ?? await Deno.makeTempDir({ prefix: "roomd-test-" });
  const config = parseConfig({
    ...TEST_ENV,
    ROOMD_TRANSPORT: TEST_TRANSPORT,
    ROOMD_DATA_DIR: dataDir,
    ...env,
  }, file);
  const logs: string[] = [];
  const log = await setupLogging({
    level: config.logLevel,
    format: "json",
    write: (line) => logs.push(line),
  });
  const metrics = new Metrics({ collectProcess: false });
  const engine = openEngine(config, { metrics, log, wrapStore });
  const { store, broker, control, presence } = engine;
  const verifier = await createTokenVerifier(verifierOptions(config, config.jwtSecret));
  const roomd = createRoomd({
    config,
    store,
    broker,
    control,
    presence,
    metrics,
    log,
    verifier,
    signingSecret: config.jwtSecret,
    userLimits: parts.userLimits ?? engine.limits,
    closeEngine: engine.close,
  });
  const server = await transportFor(config.transport).serve(roomd.handler, {
    port: 0,
    hostname: "127.0.0.1",
    maxMessageBytes: config.maxMessageBytes,
    log: log.getChild("transport"),
  });
  const port = server.port;
  roomd.listening({ hostname: "127.0.0.1", port });
  const origin = `http://127.0.0.1:${port}`;
  const token = (user: TestUser, ttl: string | number = "1h") => mintToken(TEST_SECRET, user, ttl);
  let closed = false;
  return {
    origin,
    port,
    roomd,
    store,
    metrics,
    dataDir,
    logs,
    token,
    async connect(room, user, query = {}) {
      const who = typeof user === "string" ? { sub: user, name: user } : user;
      const params = new URLSearchParams({ token: await token(who), ...query });
      return openClient(`ws://127.0.0.1:${port}/ws/${encodeURIComponent(room)}?${params}`, {
        Origin: origin,
      });
    },
    async request(path, init = {}) {
      const headers = new Headers(init.headers);
      if (init.user) headers.set("authorization", `Bearer ${await token(init.user)}`);
      if (init.body !== undefined && !headers.has("content-type")) {
        headers.set("content-type", "application/json");
      }
      return fetch(`${origin}${path}`, { ...init, headers });
    },
    async close() {
      if (closed) return;
      closed = true;
      await roomd.shutdown();
      await server.shutdown();
      if (!env.ROOMD_DATA_DIR) await Deno.remove(dataDir, { recursive: true });
    },
  };
}

/**
 * Headers of a WebSocket upgrade request, for checking refusals with `fetch`.
 *
 * @param origin Origin header value (omitted when `null`).
 * @returns Headers.
 */
export function upgradeHeaders(origin: string | null): Record<string, string> {
  const headers: Record<string, string> = {
    upgrade: "websocket",
    connection: "Upgrade",
    "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==",
    "sec-websocket-version": "13",
  };
  if (origin !== null) headers.origin = origin;
  return headers;
}
