import assert from "assert";
import { newRoomRecord } from "../../src/room/new_room.ts";
import { REDIS_IGNORE, startRedisCluster } from "../_helpers/redis_server.ts";
import { until } from "../_helpers/until.ts";
import { chat, KEYS, openNode, range, recorder } from "./_nodes.ts";

const ROOMS = ["r0", "r1", "r2", "r3", "r4", "r5"];

Deno.test({
  name:
    "On a three-master Redis Cluster rooms on every shard keep consecutive ids in order on two nodes",
  ignore: REDIS_IGNORE,
  async fn() {
    const cluster = await startRedisCluster();
    const urls = cluster.urls.split(",");
    const [a, b] = [
      await openNode(urls, "a", { cluster: true }),
      await openNode(urls, "b", { cluster: true }),
    ];
    try {
      // redis-cli splits the slots in three equal ranges, one per master.
      const shards = new Set<number>();
      for (const room of ROOMS) {
        const slot = await a.link.command(["CLUSTER", "KEYSLOT", KEYS.room(room, "seq")]);
        shards.add(Math.floor(Number(slot) / 5462));
      }
      assert.ok(shards.size >= 2, "rooms spread over shards");
      for (const room of ROOMS) {
        assert.equal(await a.store.createRoom(newRoomRecord(room, "api", null, 0)), true);
      }
      const listed = await b.store.listRooms({ limit: 10 });
      assert.deepEqual(listed.rooms.map((r) => r.id), ROOMS);

      const seen = new Map(ROOMS.map((room) => [room, [recorder(), recorder()]]));
      for (const [room, [onA, onB]] of seen) {
        await a.broker.subscribe(room, onA.handler);
        await b.broker.subscribe(room, onB.handler);
      }
      const publishes = ROOMS.flatMap((room) =>
        range(1, 40).map((i) => (i % 2 ? a : b).broker.publish(chat(room, `${i}`), i))
      );
      await Promise.all(publishes);
      for (const [room, [onA, onB]] of seen) {
        await until(() => onA.messages.length >= 40 && onB.messages.length >= 40, room);
        assert.deepEqual(onA.ids(), range(1, 40), `${room} on node a`);
        assert.deepEqual(onB.ids(), range(1, 40), `${room} on node b`);
        const page = await a.broker.history(room, { limit: 5 });
        assert.deepEqual(page.messages.map((m) => m.id), range(36, 40));
      }
      const typing = recorder();
      let typed = 0;
      await b.broker.subscribe("r3", { ...typing.handler, ephemeral: () => typed++ });
      a.broker.publishEphemeral({ ...chat("r3", "typing"), type: "typing" });
      await until(() => typed === 1, "the ephemeral message on node b");
      assert.equal(await a.store.deleteRoom("r0"), true);
      assert.deepEqual(await a.broker.position("r0"), { last_id: 0, trimmed: 0, epoch: "" });
    } finally {
      await Promise.all([a.close(), b.close()]);
      await cluster.stop();
    }
  },
});
