import assert from "assert";
import { mintToken } from "../../src/auth/mint.ts";
import { openClient, type TestClient } from "../_helpers/client.ts";
import { type ChildServer, startChild, stopChild } from "../_helpers/child_server.ts";
import { TEST_SECRET } from "../_helpers/server.ts";

async function withDataDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "roomd-durability-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function connect(child: ChildServer, user: string): Promise<TestClient> {
  const token = await mintToken(TEST_SECRET, { sub: user }, "1h");
  const client = await openClient(`ws://127.0.0.1:${child.port}/ws/lobby?token=${token}`, {
    Origin: child.origin,
  });
  await client.next((m) => m.type === "system" && m.data.event === "welcome");
  return client;
}

/** Every id in the room's history, read over HTTP page by page. */
async function historyIds(child: ChildServer): Promise<number[]> {
  const token = await mintToken(TEST_SECRET, { sub: "root", admin: true }, "1h");
  const ids: number[] = [];
  for (let since = 0;;) {
    const res = await fetch(`${child.origin}/api/rooms/lobby/messages?since=${since}&limit=200`, {
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(res.status, 200);
    const page = await res.json();
    ids.push(...page.messages.map((m: { id: number }) => m.id));
    if (!page.has_more) return ids;
    since = ids.at(-1)!;
  }
}

/**
 * Publishes with 32 messages in flight, sending the next on each ack, and kills the server
 * with SIGKILL from inside the handler of the `count`th ack, so commits are still under way.
 */
async function publishUntilKilled(child: ChildServer, count: number): Promise<number[]> {
  const client = await connect(child, "ana");
  const acked: number[] = [];
  let sent = 0;
  const publish = () =>
    client.send({ type: "chat", data: { text: `m${sent}` }, ref: `m${sent++}` });
  const killed = Promise.withResolvers<void>();
  client.socket.addEventListener("message", (event) => {
    const message = JSON.parse(event.data);
    if (message.type !== "ack") return;
    if (acked.push(message.id) === count) {
      child.kill("SIGKILL");
      killed.resolve();
    } else publish();
  });
  for (let i = 0; i < 32; i++) publish();
  await killed.promise;
  assert.equal((await child.exited).signal, "SIGKILL");
  await client.waitClosed();
  assert.ok(sent > acked.length, "messages were still in flight at the kill");
  return acked;
}

Deno.test("every acknowledged message is in the history after kill -9 and a restart, ids consecutive", async () => {
  await withDataDir(async (dir) => {
    const env = { ROOMD_DATA_DIR: dir, ROOMD_HISTORY_SIZE: "0" };
    const acked: number[] = [];
    for (let round = 0; round < 3; round++) {
      const child = await startChild(env);
      try {
        acked.push(...await publishUntilKilled(child, 200));
      } finally {
        await stopChild(child);
      }
    }
    const child = await startChild(env);
    try {
      const history = await historyIds(child);
      const stored = new Set(history);
      const lost = acked.filter((id) => !stored.has(id));
      assert.deepEqual(lost, [], `${lost.length} of ${acked.length} acknowledged messages lost`);
      const consecutive = Array.from({ length: history.length }, (_, i) => i + 1);
      assert.deepEqual(history, consecutive, "ids run 1, 2, 3… across the kills");
    } finally {
      await stopChild(child);
    }
  });
});

Deno.test("no delivered id is reused after kill -9: every delivered message is stored, the next id is the last + 1", async () => {
  await withDataDir(async (dir) => {
    const env = { ROOMD_DATA_DIR: dir, ROOMD_HISTORY_SIZE: "0" };
    let child = await startChild(env);
    const seenBeforeKill: number[] = [];
    try {
      const publisher = await connect(child, "ana");
      const watcher = await connect(child, "bo");
      const killed = Promise.withResolvers<void>();
      watcher.socket.addEventListener("message", (event) => {
        const message = JSON.parse(event.data);
        if (message.type !== "chat" || seenBeforeKill.push(message.id) > 1) return;
        child.kill("SIGKILL");
        killed.resolve();
      });
      for (let i = 0; i < 300; i++) {
        publisher.send({ type: "chat", data: { text: `m${i}` }, ref: `m${i}` });
      }
      await killed.promise;
      await child.exited;
      await watcher.waitClosed();
    } finally {
      await stopChild(child);
    }
    child = await startChild(env);
    try {
      const highest = Math.max(...seenBeforeKill);
      const client = await connect(child, "ana");
      const welcome = client.received[0];
      const before = await historyIds(child);
      const missing = seenBeforeKill.filter((id) => !before.includes(id));
      assert.deepEqual(missing, [], "a delivered message is always a stored one");
      assert.equal(welcome.data.last_id, before.at(-1));
      const ids: number[] = [];
      for (let i = 0; i < 3; i++) {
        client.send({ type: "chat", data: { text: `after ${i}` }, ref: `a${i}` });
        ids.push((await client.next((m) => m.ref === `a${i}`)).id);
      }
      assert.ok(ids[0] > highest, `id ${ids[0]} after the restart, ${highest} seen before`);
      const last = welcome.data.last_id;
      assert.deepEqual(ids, [last + 1, last + 2, last + 3]);
      const history = await historyIds(child);
      const consecutive = Array.from({ length: history.length }, (_, i) => i + 1);
      assert.deepEqual(history, consecutive);
      await client.close();
    } finally {
      await stopChild(child);
    }
  });
});
