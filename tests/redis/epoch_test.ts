import assert from "assert";
import { epochFrame } from "../../src/protocol/outbound_schemas.ts";
import { RoomRegistry } from "../../src/room/registry.ts";
import type { Room } from "../../src/room/room.ts";
import { roomKit } from "../_fakes/room_kit.ts";
import { REDIS_IGNORE, startRedis } from "../_helpers/redis_server.ts";
import { until } from "../_helpers/until.ts";
import { brokerNodesTest, chat, openNode, recorder, type RedisNode } from "./_nodes.ts";

/** A room kit whose rooms store and publish through a Redis node. */
function redisKit(node: RedisNode) {
  const kit = roomKit();
  const registry = new RoomRegistry({ ...kit.ctx, store: node.store, broker: node.broker });
  const join = async (room: Room, userId: string, resume?: { since: number; epoch: string }) => {
    const { connection, socket } = kit.connection(room.id, userId);
    assert.ok((await room.admit(connection.principal, connection.id)).ok);
    room.attach(connection, resume);
    await until(() => socket.messages().length > 0, `${userId}'s welcome`);
    return { connection, socket, welcome: socket.messages()[0].data };
  };
  return { kit, registry, join };
}

Deno.test({
  name: "After Redis loses a room's keys its members get a system epoch event and ids start over",
  ignore: REDIS_IGNORE,
  async fn() {
    const redis = await startRedis();
    const [a, b] = [await openNode(redis.url, "a"), await openNode(redis.url, "b")];
    const { kit, registry, join } = redisKit(a);
    try {
      const room = registry.open("lobby");
      const ana = await join(room, "ana");
      const bo = await join(room, "bo");
      const oldEpoch = ana.welcome.epoch;
      const seenB = recorder();
      await b.broker.subscribe("lobby", seenB.handler);
      for (let i = 0; i < 3; i++) room.publish(ana.connection, "chat", { text: `${i}` }, true);
      await until(() => bo.socket.messages().filter((m) => m.type === "chat").length === 3, "3");

      await a.link.command(["FLUSHALL"]);
      room.publish(ana.connection, "chat", { text: "after" }, true, "r1");
      await until(() => ana.socket.messages().some((m) => m.ref === "r1"), "the ack");
      await until(() => bo.socket.messages().some((m) => m.data?.text === "after"), "the chat");

      const event = bo.socket.messages().find((m) => m.data?.event === "epoch")!;
      assert.ok(epochFrame.safeParse(event).success, JSON.stringify(event));
      const newEpoch = event.data.epoch;
      assert.notEqual(newEpoch, oldEpoch);
      assert.equal(event.data.last_id, 0);
      assert.ok(ana.socket.messages().some((m) => m.data?.epoch === newEpoch), "ana told too");
      const after = bo.socket.messages().find((m) => m.data?.text === "after")!;
      assert.equal(after.id, 1);
      const order = bo.socket.messages().map((m) => m.data?.event ?? m.data?.text);
      assert.ok(order.indexOf("epoch") < order.indexOf("after"));
      assert.equal(ana.socket.messages().find((m) => m.ref === "r1")!.id, 1);

      // Every node reports the same epoch.
      await until(() => seenB.epochs.length === 1, "node b's epoch event");
      assert.deepEqual(seenB.epochs, [{ epoch: newEpoch, lastId: 0 }]);
      assert.equal((await b.broker.position("lobby")).epoch, newEpoch);

      const resumed = await join(room, "cy", { since: 3, epoch: oldEpoch });
      assert.equal(resumed.welcome.recovered, false);
      assert.equal(resumed.welcome.epoch, newEpoch);
      assert.equal(resumed.welcome.last_id, 1);
    } finally {
      await kit.close();
      await Promise.all([a.close(), b.close()]);
      await redis.stop();
    }
  },
});

brokerNodesTest(
  "When Redis restarts empty, every node's subscribed rooms agree on one new epoch",
  2,
  async ([a, b], redis) => {
    const [seenA, seenB] = [recorder(), recorder()];
    await a.broker.subscribe("lobby", seenA.handler);
    await b.broker.subscribe("lobby", seenB.handler);
    const first = await a.broker.publish(chat("lobby", "1"), 1);
    assert.ok(first.status === "stored");
    await redis.kill();
    await redis.restart();
    // A subscription may also be told the first epoch it learns (the room's own): only a
    // different one is a change.
    const changed = (seen: typeof seenA) => seen.epochs.filter((e) => e.epoch !== first.epoch);
    await until(
      () => changed(seenA).length > 0 && changed(seenB).length > 0,
      "epochs",
      15_000,
    );
    assert.equal(changed(seenA)[0].epoch, changed(seenB)[0].epoch);
    const next = await b.broker.publish(chat("lobby", "2"), 2);
    assert.ok(
      next.status === "stored" && next.epoch === changed(seenA)[0].epoch && next.id === 1,
    );
    await until(() => seenA.messages.length === 2, "the new message on node a");
    assert.deepEqual(seenA.ids(), [1, 1]);
    assert.equal(changed(seenA).length, 1);
  },
);
