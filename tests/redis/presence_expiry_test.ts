import assert from "assert";
import { rootLogger } from "../../src/log.ts";
import type { PresenceDiff } from "../../src/presence/presence.ts";
import { RedisKeys } from "../../src/redis/keys.ts";
import { RedisLink } from "../../src/redis/redis_link.ts";
import { RedisPresence } from "../../src/redis/redis_presence.ts";
import { RoomBus } from "../../src/redis/room_bus.ts";
import { REDIS_IGNORE, startRedis, startRedisCluster } from "../_helpers/redis_server.ts";
import { until } from "../_helpers/until.ts";

const log = rootLogger().getChild("test");
const TTL = 30_000;
const user = (id: string) => ({ id, name: `user ${id}` });

/** Nodes over one Redis (a server or a cluster) sharing a clock the test moves. */
async function openNodes(urls: string[], cluster: boolean, ids: string[]) {
  const keys = new RedisKeys(`t${crypto.randomUUID().slice(0, 8)}:`);
  const clock = { now: Date.now() };
  const links = ids.map(() => new RedisLink({ urls, cluster, log }));
  await until(() => links.every((link) => link.failure === null), "the links ready", 15_000);
  const nodes = links.map((link, i) =>
    new RedisPresence(link, new RoomBus(link, keys), keys, ids[i], {
      entryTtlMs: TTL,
      reservationTtlMs: 10_000,
      now: () => clock.now,
    })
  );
  return { nodes, clock, close: () => Promise.all(links.map((link) => link.close())) };
}

async function enter(p: RedisPresence, connectionId: string, userId: string, capacity = 0) {
  assert.deepEqual(await p.reserve("r", connectionId, capacity), { ok: true });
  assert.ok(await p.join("r", connectionId, user(userId), Date.now()));
}

Deno.test({
  name: "A dead node's entries expire and its users' leaves are announced once to every node, " +
    "even when two survivors reap at once",
  ignore: REDIS_IGNORE,
  async fn() {
    const redis = await startRedis();
    const { nodes: [a, b, dead], clock, close } = await openNodes(
      [redis.url],
      false,
      ["a", "b", "dead"],
    );
    try {
      const [seenA, seenB]: PresenceDiff[][] = [[], []];
      const [listenA, listenB] = [(d: PresenceDiff) => seenA.push(d), (d: PresenceDiff) => {
        seenB.push(d);
      }];
      await a.watch("r", listenA);
      await b.watch("r", listenB);
      await enter(a, "a1", "ana");
      await enter(dead, "d1", "ana");
      await enter(dead, "d2", "cy");
      await enter(dead, "d3", "dee");
      await until(() => seenA.length === 2 && seenB.length === 3, "the joins");
      seenA.length = seenB.length = 0;
      clock.now += TTL - 1000;
      await Promise.all([a.refresh("r"), b.refresh("r")]);
      assert.deepEqual(await b.count("r"), { members: 3, connections: 4 }, "nothing expired yet");
      clock.now += 2000;
      assert.deepEqual(await b.count("r"), { members: 1, connections: 1 }, "only a's entry lives");
      await Promise.all([a.refresh("r"), b.refresh("r")]);
      // unwatch() returns once the diffs published before it reached the listener.
      await a.unwatch("r", listenA);
      await b.unwatch("r", listenB);
      const leaves = [{ action: "leave", user: user("cy") }, {
        action: "leave",
        user: user("dee"),
      }];
      const byId = (x: PresenceDiff, y: PresenceDiff) => x.user.id.localeCompare(y.user.id);
      assert.deepEqual(seenA.toSorted(byId), leaves, "the reaping node is told too");
      assert.deepEqual(seenB.toSorted(byId), leaves);
      assert.deepEqual((await a.entries("r")).map((e) => e.connectionId), ["a1"]);
      assert.deepEqual(await a.count("r"), { members: 1, connections: 1 });
    } finally {
      await close();
      await redis.stop();
    }
  },
});

Deno.test({
  name: "The capacity slots of a dead node's entries are free again",
  ignore: REDIS_IGNORE,
  async fn() {
    const redis = await startRedis();
    const { nodes: [a, dead], clock, close } = await openNodes([redis.url], false, ["a", "dead"]);
    try {
      await enter(a, "a1", "ana", 3);
      await enter(dead, "d1", "bo", 3);
      await enter(dead, "d2", "cy", 3);
      assert.deepEqual(await a.reserve("r", "a2", 3), { ok: false, taken: 3 });
      clock.now += TTL - 1000;
      await a.refresh("r");
      clock.now += 2000;
      await a.refresh("r");
      assert.deepEqual(await a.reserve("r", "a2", 3), { ok: true });
      assert.deepEqual(await a.reserve("r", "a3", 3), { ok: true });
      assert.deepEqual(await a.reserve("r", "a4", 3), { ok: false, taken: 3 });
    } finally {
      await close();
      await redis.stop();
    }
  },
});

Deno.test({
  name: "A node that stalled past the TTL puts its entries back on its next refresh, " +
    "and every node is told the user left and came back",
  ignore: REDIS_IGNORE,
  async fn() {
    const redis = await startRedis();
    const { nodes: [a, slow], clock, close } = await openNodes([redis.url], false, ["a", "slow"]);
    try {
      const [seenA, seenSlow]: PresenceDiff[][] = [[], []];
      const [listenA, listenSlow] = [(d: PresenceDiff) => seenA.push(d), (d: PresenceDiff) => {
        seenSlow.push(d);
      }];
      await a.watch("r", listenA);
      await slow.watch("r", listenSlow);
      await enter(slow, "s1", "bo");
      clock.now += TTL + 1;
      await a.refresh("r");
      assert.deepEqual(await a.count("r"), { members: 0, connections: 0 });
      await slow.refresh("r");
      assert.deepEqual(await a.count("r"), { members: 1, connections: 1 });
      assert.deepEqual(await slow.leave("r", "s1"), { last: true, user: user("bo") });
      await a.unwatch("r", listenA);
      await slow.unwatch("r", listenSlow);
      const told = [
        { action: "join", user: user("bo") },
        { action: "leave", user: user("bo") },
        { action: "join", user: user("bo") },
        { action: "leave", user: user("bo") },
      ];
      assert.deepEqual(seenA, told);
      assert.deepEqual(seenSlow, told.slice(1, 3), "its own join and leave it knows already");
    } finally {
      await close();
      await redis.stop();
    }
  },
});

Deno.test({
  name: "RedisPresence on a three-master cluster admits exactly the capacity under 50 " +
    "concurrent joins over two nodes, in many rooms at once",
  ignore: REDIS_IGNORE,
  async fn() {
    const cluster = await startRedisCluster();
    const { nodes: [a, b], close } = await openNodes(cluster.urls.split(","), true, ["a", "b"]);
    try {
      const rooms = ["r1", "r2", "r3", "r4", "r5", "r6"];
      const admitted = await Promise.all(rooms.map(async (room) => {
        const results = await Promise.all(
          Array.from({ length: 50 }, (_, i) => (i % 2 ? a : b).reserve(room, `c${i}`, 10)),
        );
        await Promise.all(
          results.map((r, i) =>
            r.ok ? (i % 2 ? a : b).join(room, `c${i}`, user(`u${i}`), Date.now()) : null
          ),
        );
        return [results.filter((r) => r.ok).length, (await a.count(room)).connections];
      }));
      assert.deepEqual(admitted, rooms.map(() => [10, 10]));
    } finally {
      await close();
      await cluster.stop();
    }
  },
});

Deno.test({
  name: "refresh() resolves while Redis is down, and puts this node's entries back once an " +
    "empty Redis returns",
  ignore: REDIS_IGNORE,
  async fn() {
    const redis = await startRedis();
    const keys = new RedisKeys("t:");
    const link = new RedisLink({ urls: [redis.url], cluster: false, log, probeMs: 100 });
    const presence = new RedisPresence(link, new RoomBus(link, keys), keys, "a", {
      entryTtlMs: TTL,
      reservationTtlMs: 10_000,
    });
    try {
      await until(() => link.failure === null, "the link ready");
      await enter(presence, "c1", "ana");
      await redis.kill();
      await until(() => link.failure !== null, "Redis down");
      await presence.refresh("r");
      await redis.restart();
      await until(() => link.failure === null, "Redis back", 15_000);
      assert.deepEqual(await presence.count("r"), { members: 0, connections: 0 }, "Redis lost all");
      await presence.refresh("r");
      assert.deepEqual(await presence.count("r"), { members: 1, connections: 1 });
      assert.deepEqual(await presence.leave("r", "c1"), { last: true, user: user("ana") });
    } finally {
      await link.close();
      await redis.stop();
    }
  },
});
