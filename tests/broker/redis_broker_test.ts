import { RedisBroker } from "../../src/redis/redis_broker.ts";
import { RedisKeys } from "../../src/redis/keys.ts";
import { RedisLink } from "../../src/redis/redis_link.ts";
import { RedisStore } from "../../src/redis/redis_store.ts";
import { RoomBus } from "../../src/redis/room_bus.ts";
import { newRoomRecord } from "../../src/room/new_room.ts";
import { rootLogger } from "../../src/log.ts";
import { REDIS_IGNORE, startRedis } from "../_helpers/redis_server.ts";
import { until } from "../_helpers/until.ts";
import { brokerContract } from "./_contract.ts";

const log = rootLogger().getChild("test");

if (!REDIS_IGNORE) {
  // Each node is a RedisLink of its own on one redis-server, as two roomd processes would be.
  brokerContract("RedisBroker", async () => {
    const redis = await startRedis();
    const keys = new RedisKeys("t:");
    const links: RedisLink[] = [];
    const brokers: RedisBroker[] = [];
    const open = async () => {
      const link = new RedisLink({ urls: [redis.url], cluster: false, log });
      links.push(link);
      await until(() => link.failure === null, "the link ready");
      return { link, store: new RedisStore(link, keys, { historySize: 0 }) };
    };
    const admin = await open();
    // node() is synchronous: the nodes the suite uses are opened (and ready) beforehand.
    const nodes = new Map<string, RedisBroker>();
    for (const nodeId of ["a", "b"]) {
      const { link, store } = await open();
      const broker = new RedisBroker(link, new RoomBus(link, keys), store, nodeId);
      brokers.push(broker);
      nodes.set(nodeId, broker);
    }
    return {
      node(nodeId) {
        const broker = nodes.get(nodeId);
        if (broker === undefined) throw new RangeError(`Cannot open node ${nodeId}: not ready`);
        return broker;
      },
      async createRoom(roomId) {
        const record = newRoomRecord(roomId, "api", null, 100);
        await admin.store.createRoom(record);
        return record.epoch;
      },
      async close() {
        await Promise.all(brokers.map((b) => b.close()));
        await Promise.all(links.map((l) => l.close()));
        await redis.stop();
      },
    };
  });
}
