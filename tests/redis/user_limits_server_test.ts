import assert from "assert";
import { rootLogger } from "../../src/log.ts";
import { RedisKeys } from "../../src/redis/keys.ts";
import { RedisLink } from "../../src/redis/redis_link.ts";
import { RedisUserLimits } from "../../src/redis/redis_user_limits.ts";
import type { TestClient } from "../_helpers/client.ts";
import { REDIS_IGNORE, startRedis } from "../_helpers/redis_server.ts";
import { startServer, type TestServer, upgradeHeaders } from "../_helpers/server.ts";
import { until } from "../_helpers/until.ts";

const log = rootLogger().getChild("test");

/** An upgrade that is expected to be refused: its status and error code. */
async function refusal(server: TestServer, user: string): Promise<[number, string]> {
  const token = await server.token({ sub: user });
  const res = await fetch(`${server.origin}/ws/lobby?token=${token}`, {
    headers: upgradeHeaders(server.origin),
  });
  const body = await res.json();
  return [res.status, body.error.code];
}

Deno.test({
  name: "Two servers sharing Redis count a user's connections together, free a closed one's " +
    "slot, and refuse with 503 unavailable while Redis is down",
  ignore: REDIS_IGNORE,
  async fn() {
    const redis = await startRedis();
    const keys = new RedisKeys("t:");
    const links = [0, 1].map(() =>
      new RedisLink({ urls: [redis.url], cluster: false, log, probeMs: 100 })
    );
    const env = { ROOMD_MAX_CONNECTIONS_PER_USER: "1" };
    const servers = await Promise.all(links.map((link, i) =>
      startServer(env, {}, undefined, {
        userLimits: new RedisUserLimits(link, keys, `node-${i}`, {
          maxConnectionsPerUser: 1,
          joinRate: 100_000,
          entryTtlMs: 30_000,
        }),
      })
    ));
    const [a, b] = servers;
    const clients: TestClient[] = [];
    try {
      await until(() => links.every((link) => link.failure === null), "the links ready");
      const first = await a.connect("lobby", "ann");
      assert.deepEqual(await refusal(b, "ann"), [429, "too_many_connections"]);
      clients.push(await b.connect("lobby", "ben"));
      await first.close();
      await until(async () => {
        const res = await fetch(
          `${b.origin}/api/connect/lobby?token=${await b.token({ sub: "ann" })}`,
        );
        await res.body?.cancel();
        return res.status === 204;
      }, "ann's slot released");
      clients.push(await b.connect("lobby", "ann"));
      await redis.kill();
      await until(() => links.every((link) => link.failure !== null), "Redis down");
      assert.deepEqual(await refusal(a, "cy"), [503, "unavailable"]);
    } finally {
      await Promise.all(clients.map((client) => client.close()));
      await Promise.all(servers.map((server) => server.close()));
      await Promise.all(links.map((link) => link.close()));
      await redis.stop();
    }
  },
});
