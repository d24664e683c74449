import { rootLogger } from "../../src/log.ts";
import { RedisKeys } from "../../src/redis/keys.ts";
import { RedisLink } from "../../src/redis/redis_link.ts";
import { RedisUserLimits } from "../../src/redis/redis_user_limits.ts";
import { REDIS_IGNORE, startRedis } from "../_helpers/redis_server.ts";
import { until } from "../_helpers/until.ts";
import { CONTRACT_LIMITS, userLimitsContract } from "./_user_limits_contract.ts";

const log = rootLogger().getChild("test");

if (REDIS_IGNORE) {
  Deno.test({
    name: "RedisUserLimits contract (redis-server not installed)",
    ignore: true,
    fn() {},
  });
} else {
  userLimitsContract("RedisUserLimits", async () => {
    const redis = await startRedis();
    const keys = new RedisKeys(`t${crypto.randomUUID().slice(0, 8)}:`);
    let now = Date.now();
    // node() cannot wait, and a link refuses commands until it is connected: open them first.
    const links = [0, 1].map(() => new RedisLink({ urls: [redis.url], cluster: false, log }));
    await until(() => links.every((link) => link.failure === null), "the links ready");
    const nodes: RedisUserLimits[] = [];
    return {
      node(nodeId) {
        const limits = new RedisUserLimits(links[nodes.length], keys, nodeId, {
          ...CONTRACT_LIMITS,
          entryTtlMs: 30_000,
          now: () => now,
        });
        nodes.push(limits);
        return limits;
      },
      advance: (ms) => void (now += ms),
      async close() {
        await Promise.all(nodes.map((node) => node.close()));
        await Promise.all(links.map((link) => link.close()));
        await redis.stop();
      },
    };
  });
}
