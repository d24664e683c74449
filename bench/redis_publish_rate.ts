/**
 * The largest publish rate one room sustains through one redis-server: one node publishes
 * chat messages to one room in a loop through {@linkcode RedisBroker.publish} (the publish
 * script: dedupe check, id, Redis TIME, history, trim, SPUBLISH) with its own subscription
 * delivering each one, keeping `--inflight` publishes outstanding. Starts its own
 * redis-server (no persistence unless `--aof always|everysec`) on a free loopback port.
 *
 * ```sh
 * deno run -A bench/redis_publish_rate.ts [--seconds 5] [--inflight 1,16,128] [--aof always]
 * ```
 *
 * @module
 */
import { parseArgs } from "node:util";
import { RedisBroker } from "../src/redis/redis_broker.ts";
import { RedisKeys } from "../src/redis/keys.ts";
import { RedisLink } from "../src/redis/redis_link.ts";
import { RedisStore } from "../src/redis/redis_store.ts";
import { RoomBus } from "../src/redis/room_bus.ts";
import { rootLogger } from "../src/log.ts";
import { startRedis } from "../tests/_helpers/redis_server.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    seconds: { type: "string", default: "5" },
    inflight: { type: "string", default: "1,16,128" },
    aof: { type: "string", default: "" },
  },
});
const seconds = Number(values.seconds);
const aof = values.aof === "" ? [] : ["--appendonly", "yes", "--appendfsync", values.aof];
const redis = await startRedis({ args: aof });
const link = new RedisLink({ urls: [redis.url], cluster: false, log: rootLogger() });
while (link.failure !== null) await new Promise((resolve) => setTimeout(resolve, 10));
const keys = new RedisKeys("bench:");
const store = new RedisStore(link, keys, { historySize: 1000 });
const broker = new RedisBroker(link, new RoomBus(link, keys), store, "bench");
const data_json = JSON.stringify({ text: "x".repeat(64) });

try {
  for (const inflight of values.inflight.split(",").map(Number)) {
    const room = `room-${inflight}`;
    let delivered = 0;
    await broker.subscribe(room, { message: () => delivered++, ephemeral: () => {} });
    const deadline = performance.now() + seconds * 1000;
    let tag = 0;
    const loop = async () => {
      while (performance.now() < deadline) {
        const timestamp = new Date().toISOString();
        await broker.publish(
          { type: "chat", room_id: room, user_id: "u", data_json, timestamp },
          ++tag,
        );
      }
    };
    const started = performance.now();
    await Promise.all(Array.from({ length: inflight }, loop));
    const elapsed = (performance.now() - started) / 1000;
    const { last_id } = await broker.position(room);
    console.log(
      `inflight ${inflight}: ${Math.round(last_id / elapsed)} msgs/s ` +
        `(${last_id} stored, ${delivered} delivered in ${elapsed.toFixed(1)} s` +
        `${aof.length > 0 ? `, appendfsync ${values.aof}` : ", no persistence"})`,
    );
  }
} finally {
  await broker.close();
  await store.close();
  await link.close();
  await redis.stop();
}
