/**
 * Faults of a Redis deployment, with real redis-server and roomd processes: Redis going away
 * and coming back, a node starting while Redis is down, acked messages surviving a Redis
 * crash with AOF `always`, a node killed with `kill -9`, and Redis losing every key.
 */
import assert from "assert";
import type { Msg, TestClient } from "../_helpers/client.ts";
import { api, connectCheck, join, nodesTest, startNode, stopNodes } from "../_helpers/nodes.ts";
import { REDIS_IGNORE, startRedis } from "../_helpers/redis_server.ts";
import { until } from "../_helpers/until.ts";

const chats = (client: TestClient): Msg[] => client.received.filter((m) => m.type === "chat");

async function status(origin: string, path: string): Promise<number> {
  const res = await fetch(`${origin}${path}`);
  await res.body?.cancel();
  return res.status;
}

nodesTest(
  "Redis down: not ready, joins 503, members stay and get unavailable; back: fan-out resumes",
  {},
  async ([a, b], redis) => {
    const ana = await join(a, "lobby", "ana");
    const bo = await join(b, "lobby", "bo");
    await redis.kill();
    await until(async () => (await status(a.origin, "/readyz")) === 503, "a not ready", 10_000);
    assert.equal(await status(a.origin, "/healthz"), 200);
    const refused = await connectCheck(a, "other", "cy");
    assert.equal(refused.status, 503);
    assert.equal(refused.body.error?.code, "unavailable");
    ana.send({ type: "chat", data: { text: "lost?" }, ref: "x" });
    const error = await ana.nextOfType("error");
    assert.equal(error.data.code, "unavailable");
    assert.equal(error.ref, "x");
    await redis.restart();
    for (const node of [a, b]) {
      await until(async () => (await status(node.origin, "/readyz")) === 200, "ready", 20_000);
    }
    // Both nodes resubscribed the room that was active during the outage.
    await until(
      async () => {
        ana.send({ type: "chat", data: { text: "again" } });
        await new Promise((resolve) => setTimeout(resolve, 200));
        return chats(bo).length > 0;
      },
      "a message across nodes after the outage",
      20_000,
    );
    assert.equal(chats(bo)[0].data.text, "again");
    assert.equal(chats(bo).filter((m) => m.data.text === "lost?").length, 0);
    await Promise.all([ana.close(), bo.close()]);
  },
);

Deno.test({
  name:
    "a node that starts while Redis is down serves /healthz, is not ready, and gets ready when Redis comes",
  ignore: REDIS_IGNORE,
  async fn() {
    const redis = await startRedis();
    await redis.kill();
    const node = await startNode(redis.url, {}, false);
    try {
      assert.equal(await status(node.origin, "/healthz"), 200);
      assert.equal(await status(node.origin, "/readyz"), 503);
      await redis.restart();
      await until(async () => (await status(node.origin, "/readyz")) === 200, "ready", 20_000);
      const ana = await join(node, "lobby", "ana");
      await ana.close();
      assert.ok(
        node.lines.some((line) => line.includes("Redis persists nothing")),
        "the persistence warning is logged",
      );
    } finally {
      await stopNodes([node]);
      await redis.stop();
    }
  },
});

nodesTest("with AOF appendfsync always, every acked message survives a Redis kill -9 and restart", {
  count: 1,
  redisArgs: ["--appendonly", "yes", "--appendfsync", "always"],
}, async ([node], redis) => {
  const ana = await join(node, "lobby", "ana");
  const acked: number[] = [];
  ana.socket.addEventListener("message", (event) => {
    const message = JSON.parse(event.data);
    if (message.type === "ack") acked.push(message.id);
  });
  for (let i = 0; i < 50; i++) ana.send({ type: "chat", data: { text: `m${i}` } });
  await until(() => acked.length >= 20, "20 acks");
  await redis.kill();
  const seen = [...acked];
  await until(async () => (await status(node.origin, "/readyz")) === 503, "not ready", 10_000);
  await redis.restart();
  await until(async () => (await status(node.origin, "/readyz")) === 200, "ready", 20_000);
  const page = await (await api(node, "/api/rooms/lobby/messages?limit=200")).json();
  const stored = new Set(page.messages.map((m: { id: number }) => m.id));
  assert.ok(seen.every((id) => stored.has(id)), "every acked id is in the history");
  assert.ok(!node.lines.some((line) => line.includes("Redis persists nothing")));
  await ana.close();
});

nodesTest(
  "a node killed with kill -9: its clients resume on another node with no gap, its members leave within the TTL",
  { env: { ROOMD_PRESENCE_TTL_S: "3" } },
  async ([a, b]) => {
    const writer = await join(b, "lobby", "ana");
    const victim = await join(a, "lobby", "bo");
    const ghost = await join(a, "lobby", "cy");
    const { epoch } = victim.received[0].data;
    writer.send({ type: "chat", data: { text: "first" } });
    const first = await victim.nextOfType("chat");
    a.kill("SIGKILL");
    await victim.waitClosed();
    for (let i = 0; i < 5; i++) writer.send({ type: "chat", data: { text: `m${i}` } });
    const resumed = await join(b, "lobby", "bo", { since: String(first.id), epoch });
    assert.equal(resumed.received[0].data.recovered, true);
    await until(() => chats(resumed).length === 5, "the 5 missed chats");
    assert.deepEqual(chats(resumed).map((m) => m.id), [2, 3, 4, 5, 6]);
    // cy never came back: one leave for cy, announced once, within the TTL (+ a refresh).
    const leave = await writer.next(
      (m) => m.type === "presence" && m.data.leaves?.some((u: { id: string }) => u.id === "cy"),
      10_000,
    );
    assert.ok(leave);
    const members = await (await api(b, "/api/rooms/lobby/members")).json();
    assert.deepEqual(members.members.map((m: { id: string }) => m.id).sort(), ["ana", "bo"]);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const leaves = writer.received.filter((m) =>
      m.type === "presence" && m.data.leaves?.some((u: { id: string }) => u.id === "cy")
    );
    assert.equal(leaves.length, 1);
    await Promise.all([writer.close(), resumed.close(), ghost.closed]);
  },
);

nodesTest(
  "Redis losing every key gives the room a new epoch: members are told, old resumes are not recovered",
  {},
  async ([a, b], redis) => {
    const ana = await join(a, "lobby", "ana");
    const bo = await join(b, "lobby", "bo");
    const { epoch } = ana.received[0].data;
    ana.send({ type: "chat", data: { text: "old" } });
    await bo.nextOfType("chat");
    await redis.kill();
    await redis.restart();
    const told = await Promise.all(
      [ana, bo].map((c) => c.next((m) => m.type === "system" && m.data.event === "epoch", 20_000)),
    );
    assert.equal(told[0].data.epoch, told[1].data.epoch);
    assert.notEqual(told[0].data.epoch, epoch);
    const late = await join(b, "lobby", "cy", { since: "1", epoch });
    assert.equal(late.received[0].data.recovered, false);
    assert.equal(late.received[0].data.epoch, told[0].data.epoch);
    ana.send({ type: "chat", data: { text: "new" }, ref: "n" });
    const ack = await ana.nextOfType("ack");
    assert.equal(ack.id, 1);
    await Promise.all([ana.close(), bo.close(), late.close()]);
  },
);

nodesTest(
  "a room that never had a message still tells its members of the new epoch after Redis loses its keys",
  { count: 1 },
  async ([node], redis) => {
    const ana = await join(node, "quiet", "ana");
    const { epoch } = ana.received[0].data;
    await redis.kill();
    await redis.restart();
    const told = await ana.next((m) => m.type === "system" && m.data.event === "epoch", 20_000);
    assert.notEqual(told.data.epoch, epoch);
    assert.equal(told.data.last_id, 0);
    await ana.close();
  },
);
