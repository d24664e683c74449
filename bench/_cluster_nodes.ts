/**
 * Starting one configuration of `bench/cluster.ts`: its own redis-server on a free loopback port
 * (for the Redis configurations) and its roomd nodes as child processes, each with a fresh data
 * directory and the limits `bench/compare.ts` raises.
 *
 * @module
 */
import { startRedis } from "../tests/_helpers/redis_server.ts";
import type { ClusterConfig } from "./_cluster_args.ts";
import { roomdEnv, type ServerProcess, startServer, startTaskArgs } from "./_child.ts";
import { sleep } from "./_window.ts";

/** redis-server's persistence settings with `--aof`: an fsync a second. */
export const AOF_ARGS: readonly string[] = ["--appendonly", "yes", "--appendfsync", "everysec"];

/** A running configuration. */
export interface RunningCluster {
  /** The nodes' base URLs, `ws://127.0.0.1:PORT`. */
  urls: string[];
  /** Every process whose CPU counts: the nodes, then redis-server (when there is one). */
  pids: number[];
  /** Stops the nodes, then redis-server, and removes their directories. */
  stop(): Promise<void>;
}

/**
 * Reads redis-server's process id from the text of `INFO server`.
 *
 * @param info The reply's text.
 * @returns The `process_id`, or `null` when the line is missing.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { parseRedisPid } from "./_cluster_nodes.ts";
 * assert.ok(parseRedisPid("# Server\r\nredis_version:7.0.15\r\nprocess_id:4242\r\n") === 4242);
 * ```
 */
export function parseRedisPid(info: string): number | null {
  const match = /^process_id:(\d+)\r?$/m.exec(info);
  return match ? Number(match[1]) : null;
}

async function redisPid(port: number): Promise<number | null> {
  const out = await new Deno.Command("redis-cli", {
    args: ["-p", String(port), "INFO", "server"],
    stdout: "piped",
    stderr: "null",
  }).output();
  return out.success ? parseRedisPid(new TextDecoder().decode(out.stdout)) : null;
}

/**
 * Waits until a node answers `GET /readyz` with 200 (a Redis node may listen before its link to
 * Redis is up).
 *
 * @returns `null` once ready, or why not after `timeoutMs`.
 */
async function awaitReady(base: string, timeoutMs = 15_000): Promise<string | null> {
  const url = `${base.replace(/^ws/, "http")}/readyz`;
  const deadline = performance.now() + timeoutMs;
  let last = "";
  while (performance.now() < deadline) {
    try {
      const res = await fetch(url);
      last = `${res.status} ${(await res.text()).slice(0, 200)}`;
      if (res.status === 200) return null;
    } catch (error) {
      last = (error as Error).message;
    }
    await sleep(100);
  }
  return `Cannot use the node at ${base}: not ready after ${timeoutMs} ms (${last})`;
}

/**
 * Starts a configuration: redis-server first when it uses Redis, then its nodes, together, and
 * waits until every node is ready.
 *
 * @param config The configuration.
 * @param secret The HS256 secret the load tool signs with.
 * @param aof Run redis-server with {@linkcode AOF_ARGS} instead of without persistence.
 * @returns The running configuration, or why it could not start (everything started is stopped).
 */
export async function startCluster(
  config: ClusterConfig,
  secret: string,
  aof: boolean,
): Promise<RunningCluster | string> {
  const env = roomdEnv(secret);
  let redis: Awaited<ReturnType<typeof startRedis>> | null = null;
  let redisPids: number[] = [];
  if (config.redis) {
    try {
      redis = await startRedis({ args: aof ? [...AOF_ARGS] : [] });
    } catch (error) {
      return `Cannot start redis-server for ${config.name}: ${(error as Error).message}`;
    }
    const pid = await redisPid(redis.port);
    if (pid === null) {
      await redis.stop();
      return `Cannot read redis-server's process id for ${config.name}: INFO server has none`;
    }
    redisPids = [pid];
    env.ROOMD_REDIS_URL = redis.url;
  }
  const started = await Promise.all(
    Array.from(
      { length: config.nodes },
      (_, i) => startServer(`${config.name}-node${i + 1}`, startTaskArgs(), env),
    ),
  );
  const nodes = started.filter((s): s is ServerProcess => typeof s !== "string");
  const stop = async () => {
    await Promise.all(nodes.map((n) => n.stop()));
    await redis?.stop();
  };
  const failed = started.find((s): s is string => typeof s === "string") ??
    (await Promise.all(nodes.map((n) => awaitReady(n.url)))).find((r) => r !== null);
  if (failed !== undefined) {
    await stop();
    return failed;
  }
  return { urls: nodes.map((n) => n.url), pids: [...nodes.map((n) => n.pid), ...redisPids], stop };
}
