import { rootLogger } from "../../src/log.ts";
import { RedisKeys } from "../../src/redis/keys.ts";
import { RedisLink } from "../../src/redis/redis_link.ts";
import { RedisPresence } from "../../src/redis/redis_presence.ts";
import { RoomBus } from "../../src/redis/room_bus.ts";
import { REDIS_IGNORE, startRedis } from "../_helpers/redis_server.ts";
import { until } from "../_helpers/until.ts";
import { CONTRACT_TTLS, presenceContract } from "./_contract.ts";

const log = rootLogger().getChild("test");

if (REDIS_IGNORE) {
  Deno.test({ name: "RedisPresence contract (redis-server not installed)", ignore: true, fn() {} });
} else {
  presenceContract("RedisPresence", async () => {
    const redis = await startRedis();
    const keys = new RedisKeys(`t${crypto.randomUUID().slice(0, 8)}:`);
    let now = Date.now();
    // node() cannot wait, and a link refuses commands until it is connected: open them first.
    const links = [0, 1].map(() => new RedisLink({ urls: [redis.url], cluster: false, log }));
    await until(() => links.every((link) => link.failure === null), "the links ready");
    let used = 0;
    return {
      node(nodeId) {
        const link = links[used++];
        return new RedisPresence(link, new RoomBus(link, keys), keys, nodeId, {
          ...CONTRACT_TTLS,
          now: () => now,
        });
      },
      advance(ms) {
        now += ms;
        return Promise.resolve();
      },
      async close() {
        await Promise.all(links.map((link) => link.close()));
        await redis.stop();
      },
    };
  });
}
