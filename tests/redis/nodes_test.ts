/**
 * Two real roomd processes over one real redis-server act as one server: messages, ids,
 * presence, capacity, room changes, per-user limits and resume hold across them.
 */
import assert from "assert";
import { mintToken } from "../../src/auth/mint.ts";
import { TEST_SECRET } from "../_helpers/server.ts";
import { until } from "../_helpers/until.ts";
import type { Msg, TestClient } from "../_helpers/client.ts";
import { api, connectCheck, join, type Node, nodesTest } from "../_helpers/nodes.ts";

/** A test with a fresh redis-server and two nodes over it. */
function twoNodes(
  name: string,
  body: (a: Node, b: Node) => Promise<void>,
  env: Record<string, string> = {},
): void {
  nodesTest(name, { env }, ([a, b]) => body(a, b));
}

const chats = (client: TestClient): Msg[] => client.received.filter((m) => m.type === "chat");

twoNodes(
  "messages published on both nodes get consecutive ids and reach every member in id order",
  async (a, b) => {
    const [ana, bo] = [await join(a, "lobby", "ana"), await join(b, "lobby", "bo")];
    const watcher = await join(b, "lobby", "cy");
    for (let i = 0; i < 40; i++) {
      (i % 2 === 0 ? ana : bo).send({ type: "chat", data: { text: `m${i}` }, ref: `r${i}` });
    }
    await until(() => chats(watcher).length === 40, "40 chats at the watcher", 10_000);
    const ids = chats(watcher).map((m) => m.id);
    assert.deepEqual(ids, Array.from({ length: 40 }, (_, i) => i + 1));
    await until(
      () => ana.received.filter((m) => m.type === "ack").length === 20,
      "20 acks to ana",
      10_000,
    );
    // Each sender gets the other's 20 messages, not its own (those are acked).
    await until(() => chats(ana).length === 20, "bo's 20 chats at ana", 10_000);
    assert.ok(chats(ana).every((m) => m.user_id === "bo"));
    const metrics = await (await fetch(`${a.origin}/metrics`)).text();
    const writes = /^roomd_store_write_duration_seconds_count (\d+)/m.exec(metrics);
    assert.equal(Number(writes?.[1]), 20, "node A timed its 20 publish scripts");
    await Promise.all([ana.close(), bo.close(), watcher.close()]);
  },
);

twoNodes(
  "presence counts users on every node once, and joins and leaves reach the other node",
  async (a, b) => {
    const ana = await join(a, "lobby", "ana");
    const bo = await join(b, "lobby", "bo");
    const welcome = bo.received[0];
    assert.equal(welcome.data.count, 2);
    assert.deepEqual(welcome.data.members.map((m: { id: string }) => m.id).sort(), ["ana", "bo"]);
    const joined = await ana.next((m) => m.type === "presence" && m.data.joins?.length > 0);
    assert.deepEqual(joined.data.joins.map((u: { id: string }) => u.id), ["bo"]);
    // A second connection of ana, on the other node, is not a second member.
    const anaAgain = await join(b, "lobby", "ana");
    assert.equal(anaAgain.received[0].data.count, 2);
    const members = await (await api(a, "/api/rooms/lobby/members")).json();
    assert.equal(members.count, 2);
    const anaRow = members.members.find((m: { id: string }) => m.id === "ana");
    assert.equal(anaRow.connections, 2);
    await bo.close();
    const left = await ana.next((m) => m.type === "presence" && m.data.leaves?.length > 0);
    assert.deepEqual(left.data.leaves.map((u: { id: string }) => u.id), ["bo"]);
    await Promise.all([ana.close(), anaAgain.close()]);
  },
);

twoNodes(
  "50 concurrent joins split over two nodes on a room of 10 admit exactly 10",
  async (a, b) => {
    const created = await api(a, "/api/rooms", {
      method: "POST",
      body: { id: "small", max_clients: 10 },
    });
    assert.equal(created.status, 201);
    const attempts = Array.from({ length: 50 }, (_, i) => join(i % 2 ? a : b, "small", `u${i}`));
    const results = await Promise.allSettled(attempts);
    const admitted = results.filter((r) => r.status === "fulfilled").map((r) =>
      (r as PromiseFulfilledResult<TestClient>).value
    );
    assert.equal(admitted.length, 10);
    const refusal = await connectCheck(a, "small", "late");
    assert.equal(refusal.status, 409);
    assert.equal(refusal.body.error?.code, "room_full");
    await Promise.all(admitted.map((c) => c.close()));
  },
);

twoNodes(
  "a room made private on node A closes its non-members on node B with 4403",
  async (a, b) => {
    await api(a, "/api/rooms", { method: "POST", body: { id: "club" } });
    const ana = await join(b, "club", "ana");
    const bo = await join(b, "club", "bo");
    const res = await api(a, "/api/rooms/club", {
      method: "PATCH",
      body: { is_private: true, members: ["ana"] },
    });
    assert.equal(res.status, 200);
    assert.equal((await bo.waitClosed()).code, 4403);
    const deleted = await api(a, "/api/rooms/club", { method: "DELETE" });
    assert.equal(deleted.status, 204);
    assert.equal((await ana.waitClosed()).code, 4403);
  },
);

twoNodes(
  "a client that reconnects to the other node resumes with nothing missing",
  async (a, b) => {
    const writer = await join(a, "lobby", "ana");
    const reader = await join(a, "lobby", "bo");
    const { epoch } = reader.received[0].data;
    writer.send({ type: "chat", data: { text: "before" } });
    const seen = await reader.nextOfType("chat");
    await reader.close();
    for (let i = 0; i < 5; i++) {
      writer.send({
        type: "chat",
        data: { text: `gap${i}` },
        ref: `g${i}`,
      });
    }
    await until(
      () => writer.received.filter((m) => m.type === "ack" && m.ref?.startsWith("g")).length === 5,
      "5 acks to the writer",
    );
    const resumed = await join(b, "lobby", "bo", { since: String(seen.id), epoch });
    assert.equal(resumed.received[0].data.recovered, true);
    await until(() => chats(resumed).length === 5, "the 5 missed chats");
    assert.deepEqual(chats(resumed).map((m) => m.id), [2, 3, 4, 5, 6]);
    await Promise.all([writer.close(), resumed.close()]);
  },
);

twoNodes("connections per user are counted over both nodes", async (a, b) => {
  const first = await join(a, "lobby", "ana");
  const second = await join(b, "lobby", "ana");
  const refused = await connectCheck(a, "lobby", "ana");
  assert.equal(refused.status, 429);
  assert.equal(refused.body.error?.code, "too_many_connections");
  await first.close();
  await second.close();
}, { ROOMD_MAX_CONNECTIONS_PER_USER: "2" });

twoNodes("an Idempotency-Key publishes once, whichever node the retry reaches", async (a, b) => {
  const member = await join(b, "lobby", "ana");
  const publish = async (node: Node) => {
    const res = await fetch(`${node.origin}/api/rooms/lobby/messages`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${await mintToken(TEST_SECRET, { sub: "root", admin: true }, "1h")}`,
        "content-type": "application/json",
        "idempotency-key": "order-17",
      },
      body: JSON.stringify({ type: "system", data: { text: "shipped" } }),
    });
    return { status: res.status, body: await res.json() };
  };
  const first = await publish(a);
  const retry = await publish(b);
  assert.equal(first.status, 201);
  assert.equal(retry.body.id, first.body.id);
  await until(() => member.received.some((m) => m.type === "system" && m.id), "the message");
  await new Promise((resolve) => setTimeout(resolve, 200));
  assert.equal(member.received.filter((m) => m.type === "system" && m.id).length, 1);
  await member.close();
});
