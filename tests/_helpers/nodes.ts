/**
 * Several real roomd processes over one Redis, as a load balancer would see them, and the
 * clients and API calls the multi-node tests make against them.
 *
 * @module
 */
import { mintToken } from "../../src/auth/mint.ts";
import { type ChildServer, startChild, stopChild } from "./child_server.ts";
import { openClient, type TestClient } from "./client.ts";
import { TEST_SECRET, type TestUser } from "./server.ts";
import { until } from "./until.ts";
import { REDIS_IGNORE, type RedisServer, startRedis } from "./redis_server.ts";

/** A roomd node: a child process with a data dir of its own. */
export interface Node extends ChildServer {
  /** Its environment (for a restart). */
  readonly env: Record<string, string>;
}

/**
 * Starts a roomd node against Redis.
 *
 * @param redisUrl `ROOMD_REDIS_URL` (a seed list with `ROOMD_REDIS_CLUSTER=true` in `env`).
 * @param env More variables.
 * @param ready Wait until `/readyz` says ready (Redis connected), not only until it listens.
 * @returns The node.
 */
export async function startNode(
  redisUrl: string,
  env: Record<string, string> = {},
  ready = true,
): Promise<Node> {
  const dataDir = await Deno.makeTempDir({ prefix: "roomd-node-" });
  const full = {
    ROOMD_DATA_DIR: dataDir,
    ROOMD_REDIS_URL: redisUrl,
    ROOMD_ROOM_GRACE_MS: "200",
    ROOMD_PRESENCE_TICK_MS: "0",
    ...env,
  };
  const child = await startChild(full);
  child.exited.finally(() => Deno.remove(dataDir, { recursive: true }).catch(() => {}));
  if (ready) {
    try {
      await waitReady(child);
    } catch (error) {
      await stopChild(child);
      throw error;
    }
  }
  return Object.assign(child, { env: full });
}

/**
 * Waits until a node's `/readyz` answers 200.
 *
 * @param node The node.
 * @param timeoutMs Deadline.
 */
export async function waitReady(node: ChildServer, timeoutMs = 20_000): Promise<void> {
  await until(
    async () => {
      const res = await fetch(`${node.origin}/readyz`);
      await res.body?.cancel();
      return res.status === 200;
    },
    `node ${node.origin} ready`,
    timeoutMs,
  );
}

/**
 * Starts `count` nodes over one Redis.
 *
 * @param count How many.
 * @param redisUrl `ROOMD_REDIS_URL`.
 * @param env More variables for each.
 * @returns The nodes.
 */
export function startNodes(
  count: number,
  redisUrl: string,
  env: Record<string, string> = {},
): Promise<Node[]> {
  return Promise.all(Array.from({ length: count }, () => startNode(redisUrl, env)));
}

/** Stops nodes that still run. */
export async function stopNodes(nodes: ChildServer[]): Promise<void> {
  await Promise.all(nodes.map((node) => stopChild(node)));
}

/**
 * Opens a WebSocket to a node and waits for its welcome.
 *
 * @param node The node.
 * @param room Room id.
 * @param user User id or claims.
 * @param query More query parameters (`since`, `epoch`).
 * @returns The client (its welcome is the first received message).
 */
export async function join(
  node: ChildServer,
  room: string,
  user: TestUser | string,
  query: Record<string, string> = {},
): Promise<TestClient> {
  const claims = typeof user === "string" ? { sub: user } : user;
  const token = await mintToken(TEST_SECRET, claims, "1h");
  const params = new URLSearchParams({ token, ...query });
  const client = await openClient(`ws://127.0.0.1:${node.port}/ws/${room}?${params}`, {
    Origin: node.origin,
  });
  await client.next((m) => m.type === "system" && m.data.event === "welcome");
  return client;
}

/**
 * The status of a refused (or accepted) WebSocket handshake, read without upgrading.
 *
 * @param node The node.
 * @param room Room id.
 * @param user User id.
 * @returns The HTTP status and JSON body of `GET /api/connect/:room_id`.
 */
export async function connectCheck(
  node: ChildServer,
  room: string,
  user: string,
): Promise<{ status: number; body: { error?: { code: string } } }> {
  const token = await mintToken(TEST_SECRET, { sub: user }, "1h");
  const res = await fetch(`${node.origin}/api/connect/${room}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  return { status: res.status, body: await res.json() };
}

/**
 * Calls the HTTP API of a node as an admin (or the given user).
 *
 * @param node The node.
 * @param path Path and query.
 * @param init Method and JSON body.
 * @param user Claims (default an admin).
 * @returns The response.
 */
export async function api(
  node: ChildServer,
  path: string,
  init: { method?: string; body?: unknown } = {},
  user: TestUser = { sub: "root", admin: true },
): Promise<Response> {
  const token = await mintToken(TEST_SECRET, user, "1h");
  return fetch(`${node.origin}${path}`, {
    method: init.method ?? "GET",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
}

/** What {@linkcode nodesTest} starts. */
export interface NodesTestSetup {
  /** How many roomd nodes (default 2). */
  count?: number;
  /** More variables for every node. */
  env?: Record<string, string>;
  /** Extra redis-server arguments (e.g. AOF). */
  redisArgs?: string[];
}

/**
 * Registers a test that runs `body` with a fresh redis-server and roomd nodes over it, all
 * stopped afterwards (ignored without redis-server, except under CI).
 *
 * @param name Test name.
 * @param setup Node count, their variables, redis-server arguments.
 * @param body The test, given the ready nodes and the redis-server.
 */
export function nodesTest(
  name: string,
  setup: NodesTestSetup,
  body: (nodes: Node[], redis: RedisServer) => Promise<void>,
): void {
  Deno.test({
    name,
    ignore: REDIS_IGNORE,
    async fn() {
      const redis = await startRedis({ args: setup.redisArgs });
      const nodes = await startNodes(setup.count ?? 2, redis.url, setup.env).catch(
        async (error) => {
          await redis.stop();
          throw error;
        },
      );
      try {
        await body(nodes, redis);
      } finally {
        await stopNodes(nodes);
        await redis.stop();
      }
    },
  });
}
