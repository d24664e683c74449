/**
 * Real redis-server processes for tests, on free loopback ports, each with its own directory.
 * Without redis-server the Redis tests are ignored (with the reason printed once); under
 * `CI=true` they must run, so a missing redis-server fails them instead.
 *
 * @module
 */

/** Whether redis-server can be run here. */
export const REDIS_AVAILABLE: boolean = (() => {
  try {
    return new Deno.Command("redis-server", { args: ["--version"], stdout: "null" })
      .outputSync().success;
  } catch {
    return false;
  }
})();

const UNDER_CI = Deno.env.get("CI") === "true";

/**
 * `ignore` for `Deno.test` of a Redis test: ignored (saying why once) when redis-server is
 * missing, except under CI, where the test runs and fails.
 */
export const REDIS_IGNORE: boolean = !REDIS_AVAILABLE && !UNDER_CI;
if (REDIS_IGNORE) {
  console.error(
    "Redis tests ignored: redis-server is not installed (apt-get install redis-server)",
  );
}

/** A running redis-server. */
export interface RedisServer {
  /** `redis://127.0.0.1:PORT`. */
  readonly url: string;
  /** Its port. */
  readonly port: number;
  /** Its data directory (AOF and RDB files). */
  readonly dir: string;
  /** Stops it (SHUTDOWN NOSAVE is not used: a kill stands for a crash). */
  kill(): Promise<void>;
  /** Starts it again on the same port and directory (after {@linkcode RedisServer.kill}). */
  restart(): Promise<void>;
  /** Stops it and removes its directory. */
  stop(): Promise<void>;
}

/** Options of {@linkcode startRedis}. */
export interface RedisServerOptions {
  /** Extra redis-server arguments, e.g. `["--appendonly", "yes", "--appendfsync", "always"]`. */
  args?: string[];
  /** A fixed port (a cluster needs port + 10000 free too); default: a free one. */
  port?: number;
}

/** A free loopback TCP port (the listener is closed before it is returned). */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

/**
 * Waits until redis-server on `port` is up and has loaded its data, or throws after `timeoutMs`.
 * PING is not enough: it answers while an append-only file is still loading, when writes are
 * refused with LOADING.
 */
async function waitUntilLoaded(port: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const conn = await Deno.connect({ hostname: "127.0.0.1", port });
      try {
        await conn.write(new TextEncoder().encode("INFO persistence\r\n"));
        const buffer = new Uint8Array(4096);
        const n = await conn.read(buffer);
        if (n !== null && new TextDecoder().decode(buffer.subarray(0, n)).includes("loading:0")) {
          return;
        }
      } finally {
        conn.close();
      }
    } catch { /* not up yet */ }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`redis-server on port ${port} was not up and loaded within ${timeoutMs} ms`);
}

/**
 * Starts a redis-server on loopback: no persistence unless `args` turn it on.
 *
 * @param options Extra arguments and an optional port.
 * @returns The running server.
 */
export async function startRedis(options: RedisServerOptions = {}): Promise<RedisServer> {
  const port = options.port ?? freePort();
  const dir = await Deno.makeTempDir({ prefix: "roomd-redis-" });
  const args = [
    "--port",
    String(port),
    "--bind",
    "127.0.0.1",
    "--dir",
    dir,
    "--save",
    "",
    "--appendonly",
    "no",
    "--protected-mode",
    "no",
    ...(options.args ?? []),
  ];
  let child: Deno.ChildProcess | null = null;
  const start = async () => {
    child = new Deno.Command("redis-server", { args, stdout: "null", stderr: "null" }).spawn();
    await waitUntilLoaded(port);
  };
  const kill = async () => {
    const running = child;
    child = null;
    if (running === null) return;
    try {
      (running as Deno.ChildProcess).kill("SIGKILL");
    } catch { /* gone */ }
    await (running as Deno.ChildProcess).status;
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    dir,
    kill,
    restart: start,
    stop: async () => {
      await kill();
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    },
  };
}

/** A running Redis Cluster of three masters. */
export interface RedisCluster {
  /** Seed list for `ROOMD_REDIS_URL` (comma-separated). */
  readonly urls: string;
  /** The masters. */
  readonly nodes: RedisServer[];
  /** Stops every node. */
  stop(): Promise<void>;
}

/**
 * Starts a three-master Redis Cluster on loopback. Ports are picked so that each port + 10000
 * (the cluster bus) is free too.
 *
 * @returns The cluster, once `redis-cli --cluster create` has assigned every slot.
 */
export async function startRedisCluster(): Promise<RedisCluster> {
  const nodes: RedisServer[] = [];
  try {
    while (nodes.length < 3) {
      const port = 20_000 + Math.floor(Math.random() * 30_000);
      try {
        for (const p of [port, port + 10_000]) {
          Deno.listen({ hostname: "127.0.0.1", port: p }).close();
        }
      } catch {
        continue;
      }
      nodes.push(
        await startRedis({
          port,
          args: ["--cluster-enabled", "yes", "--cluster-config-file", `nodes-${port}.conf`],
        }),
      );
    }
    const create = await new Deno.Command("redis-cli", {
      args: [
        "--cluster",
        "create",
        ...nodes.map((n) => `127.0.0.1:${n.port}`),
        "--cluster-replicas",
        "0",
        "--cluster-yes",
      ],
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (!create.success) {
      throw new Error(
        `redis-cli --cluster create failed: ${new TextDecoder().decode(create.stderr)}`,
      );
    }
    // Every master must see the cluster as ok, not only the first: a client may ask any of them.
    for (const node of nodes) await waitForClusterOk(node.port);
  } catch (error) {
    await Promise.all(nodes.map((n) => n.stop()));
    throw error;
  }
  return {
    urls: nodes.map((n) => n.url).join(","),
    nodes,
    stop: async () => {
      await Promise.all(nodes.map((n) => n.stop()));
    },
  };
}

async function waitForClusterOk(port: number, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const info = await new Deno.Command("redis-cli", {
      args: ["-p", String(port), "cluster", "info"],
      stdout: "piped",
    }).output();
    if (new TextDecoder().decode(info.stdout).includes("cluster_state:ok")) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error("Redis Cluster did not reach cluster_state:ok");
}
