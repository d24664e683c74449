import assert from "assert";
import { RedisKeys } from "../../src/redis/keys.ts";
import { RedisLink } from "../../src/redis/redis_link.ts";
import { RoomBus } from "../../src/redis/room_bus.ts";
import { rootLogger } from "../../src/log.ts";
import { REDIS_IGNORE, startRedis, startRedisCluster } from "../_helpers/redis_server.ts";
import { until } from "../_helpers/until.ts";

const log = rootLogger().getChild("test");

Deno.test({
  name: "RedisLink runs scripts and carries room-channel messages to every listening node",
  ignore: REDIS_IGNORE,
  async fn() {
    const redis = await startRedis();
    const keys = new RedisKeys("t:");
    const [a, b] = [0, 1].map(() => new RedisLink({ urls: [redis.url], cluster: false, log }));
    try {
      await until(() => a.failure === null && b.failure === null, "both links ready");
      const seen: string[] = [];
      await new RoomBus(b, keys).listen("lobby", "c", (body) => seen.push(body));
      await new RoomBus(a, keys).publish("lobby", "c", "hello");
      await until(() => seen.length === 1, "the message");
      assert.deepEqual(seen, ["hello"]);
    } finally {
      await Promise.all([a.close(), b.close()]);
      await redis.stop();
    }
  },
});

Deno.test({
  name: "RedisLink reports a failure while Redis is down and clears it once Redis is back",
  ignore: REDIS_IGNORE,
  async fn() {
    const redis = await startRedis();
    const link = new RedisLink({ urls: [redis.url], cluster: false, log, probeMs: 100 });
    let reconnects = 0;
    link.onReconnect(() => reconnects++);
    try {
      await until(() => link.failure === null, "the link ready");
      await redis.kill();
      await until(() => link.failure !== null, "a failure");
      await assert.rejects(link.command(["PING"]));
      const before = reconnects;
      await redis.restart();
      await until(() => link.failure === null && reconnects > before, "a reconnect", 15_000);
    } finally {
      await link.close();
      await redis.stop();
    }
  },
});

Deno.test({
  name: "RedisLink on a three-master cluster routes keys and sharded channels to their shard",
  ignore: REDIS_IGNORE,
  async fn() {
    const cluster = await startRedisCluster();
    const keys = new RedisKeys("t:");
    const link = new RedisLink({ urls: cluster.urls.split(","), cluster: true, log });
    try {
      await until(() => link.failure === null, "the cluster ready", 15_000);
      const seen: string[] = [];
      const bus = new RoomBus(link, keys);
      for (const room of ["a", "b", "c", "d", "e", "f"]) {
        await link.command(["SET", keys.room(room, "x"), room], keys.room(room, "x"));
        await bus.listen(room, "c", (body) => seen.push(body));
      }
      for (const room of ["a", "b", "c", "d", "e", "f"]) await bus.publish(room, "c", room);
      await until(() => seen.length === 6, "six messages");
      assert.deepEqual(seen.sort(), ["a", "b", "c", "d", "e", "f"]);
    } finally {
      await link.close();
      await cluster.stop();
    }
  },
});
