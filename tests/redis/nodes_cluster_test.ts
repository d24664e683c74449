/**
 * Two real roomd processes over a real three-master Redis Cluster: rooms hash to different
 * shards (each room's keys share its hash tag), fan-out goes through sharded pub/sub, and
 * ids, presence and capacity hold across the nodes as on one Redis.
 */
import assert from "assert";
import type { TestClient } from "../_helpers/client.ts";
import { api, join, startNodes, stopNodes } from "../_helpers/nodes.ts";
import { REDIS_IGNORE, startRedisCluster } from "../_helpers/redis_server.ts";

const ROOMS = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot"];

Deno.test({
  name:
    "on a Redis Cluster, rooms on every shard carry messages, ids, presence and capacity across nodes",
  ignore: REDIS_IGNORE,
  async fn() {
    const cluster = await startRedisCluster();
    const nodes = await startNodes(2, cluster.urls, { ROOMD_REDIS_CLUSTER: "true" }).catch(
      async (error) => {
        await cluster.stop();
        throw error;
      },
    );
    const [a, b] = nodes;
    const clients: TestClient[] = [];
    try {
      for (const room of ROOMS) {
        const sender = await join(a, room, "ana");
        const reader = await join(b, room, "bo");
        clients.push(sender, reader);
        assert.equal(reader.received[0].data.count, 2);
        for (let i = 0; i < 3; i++) sender.send({ type: "chat", data: { text: `${room}${i}` } });
        await reader.next(() => reader.received.filter((m) => m.type === "chat").length === 3);
        const ids = reader.received.filter((m) => m.type === "chat").map((m) => m.id);
        assert.deepEqual(ids, [1, 2, 3], room);
      }
      const created = await api(a, "/api/rooms", {
        method: "POST",
        body: { id: "small", max_clients: 4 },
      });
      assert.equal(created.status, 201);
      const attempts = await Promise.allSettled(
        Array.from({ length: 12 }, (_, i) => join(i % 2 ? a : b, "small", `u${i}`)),
      );
      const admitted = attempts.filter((r) => r.status === "fulfilled");
      assert.equal(admitted.length, 4);
      for (const r of admitted) clients.push((r as PromiseFulfilledResult<TestClient>).value);
      const members = await (await api(b, "/api/rooms/small/members")).json();
      assert.equal(members.count, 4);
    } finally {
      await Promise.all(clients.map((c) => c.close()));
      await stopNodes(nodes);
      await cluster.stop();
    }
  },
});
