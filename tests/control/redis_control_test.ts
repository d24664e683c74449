import { rootLogger } from "../../src/log.ts";
import { RedisControl } from "../../src/redis/redis_control.ts";
import { RedisKeys } from "../../src/redis/keys.ts";
import { RedisLink } from "../../src/redis/redis_link.ts";
import { RoomBus } from "../../src/redis/room_bus.ts";
import { REDIS_IGNORE, startRedis } from "../_helpers/redis_server.ts";
import { until } from "../_helpers/until.ts";
import { controlContract } from "./_contract.ts";

const log = rootLogger().getChild("test");

if (REDIS_IGNORE) {
  Deno.test({ name: "RedisControl contract (redis-server not installed)", ignore: true, fn() {} });
} else {
  controlContract("RedisControl", async () => {
    const redis = await startRedis();
    const keys = new RedisKeys(`t${crypto.randomUUID().slice(0, 8)}:`);
    // node() cannot wait, and a link refuses commands until it is connected: open them first.
    const links = [0, 1, 2].map(() => new RedisLink({ urls: [redis.url], cluster: false, log }));
    await until(() => links.every((link) => link.failure === null), "the links ready");
    let used = 0;
    return {
      node: (nodeId) => new RedisControl(new RoomBus(links[used++], keys), nodeId),
      async close() {
        await Promise.all(links.map((link) => link.close()));
        await redis.stop();
      },
    };
  });
}
