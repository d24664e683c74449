import assert from "assert";
import { connect, type RoomClient } from "../../src/client/mod.ts";
import { startServer, type TestServer } from "../_helpers/server.ts";
import { until } from "../_helpers/until.ts";
import { denoOptions } from "./_options.ts";
import { startProxy } from "./_proxy.ts";
import { record } from "./_record.ts";

async function client(
  server: TestServer,
  url: string,
  sub: string,
  extra: Record<string, unknown> = {},
): Promise<RoomClient> {
  return connect(url, {
    room: "lobby",
    token: await server.token({ sub, name: sub }),
    ...denoOptions(undefined, server.origin),
    ...extra,
  });
}

Deno.test("a client cut off again and again while messages flow sees every message once, in order", async () => {
  const server = await startServer();
  const proxy = startProxy(server.port);
  try {
    const publisher = await client(server, server.origin, "pub");
    const subscriber = await client(server, proxy.origin, "sub");
    const events = record(subscriber);
    await record(publisher).reach("open");
    await events.reach("open");
    const acked: number[] = [];
    let stop = false;
    const publishing = (async () => {
      for (let i = 0; !stop; i++) {
        acked.push((await publisher.send("chat", { text: `n${i}` })).id!);
        await new Promise((resolve) => setTimeout(resolve, 3));
      }
    })();
    for (let cut = 0; cut < 5; cut++) {
      const before = acked.length;
      await until(() => acked.length >= before + 10, "more messages");
      proxy.cut();
      const at = events.states.length;
      const reopened = await events.reach("open", at);
      assert.equal(reopened.recovered, true, `cut ${cut}`);
    }
    stop = true;
    await publishing;
    const last = acked.at(-1)!;
    await until(() => events.messages.at(-1)?.id === last, "the last message");
    const ids = events.messages.filter((m) => m.type === "chat").map((m) => m.id);
    assert.deepEqual(ids, acked, "every acked message once, in order");
    const reconnects = events.states.filter((s) => s.state === "reconnecting");
    assert.equal(reconnects.length, 5);
    assert.ok(reconnects.every((s) => s.reason?.code === "disconnected"));
    publisher.close();
    subscriber.close();
  } finally {
    await proxy.close();
    await server.close();
  }
});

Deno.test("sends made while reconnecting wait and go out in order after the resume", async () => {
  const server = await startServer();
  const proxy = startProxy(server.port);
  try {
    const watcher = await client(server, server.origin, "watcher");
    const watched = record(watcher);
    await watched.reach("open");
    const sender = await client(server, proxy.origin, "sender", {
      backoff: { baseMs: 300, capMs: 300 },
      random: () => 0.99,
    });
    const events = record(sender);
    await events.reach("open");
    proxy.cut();
    await events.reach("reconnecting");
    const sends = [0, 1, 2, 3, 4].map((i) => sender.send("chat", { text: `q${i}` }));
    assert.equal(sender.state, "reconnecting", "queued while the connection is down");
    const acks = await Promise.all(sends);
    const ids = acks.map((a) => a.id!);
    assert.deepEqual(ids, [...ids].sort((a, b) => a - b));
    const chats = () => watched.messages.filter((m) => m.type === "chat");
    await until(() => chats().length === 5, "the watcher's copies");
    assert.deepEqual(chats().map((m) => (m.data as { text: string }).text), [
      "q0",
      "q1",
      "q2",
      "q3",
      "q4",
    ]);
    watcher.close();
    sender.close();
  } finally {
    await proxy.close();
    await server.close();
  }
});

Deno.test("past queueLimit, a send made while reconnecting is rejected with queue_full, never dropped", async () => {
  const server = await startServer();
  const proxy = startProxy(server.port);
  try {
    const sender = await client(server, proxy.origin, "sender", {
      queueLimit: 2,
      backoff: { baseMs: 300, capMs: 300 },
      random: () => 0.99,
    });
    const events = record(sender);
    await events.reach("open");
    proxy.cut();
    await events.reach("reconnecting");
    const kept = [sender.send("chat", { text: "a" }), sender.send("chat", { text: "b" })];
    await assert.rejects(sender.send("chat", { text: "c" }), { code: "queue_full" });
    const acks = await Promise.all(kept);
    assert.equal(acks.length, 2);
    sender.close();
  } finally {
    await proxy.close();
    await server.close();
  }
});

Deno.test("a send whose ack was lost is sent again after the resume with the same cid", async () => {
  const server = await startServer();
  const proxy = startProxy(server.port);
  try {
    const frames: string[] = [];
    const sender = await client(server, proxy.origin, "sender", {
      webSocket: (url: string, protocols: string[]) => {
        const socket = denoOptions(undefined, server.origin).webSocket(url, protocols);
        const send = socket.send.bind(socket);
        socket.send = (data) => {
          frames.push(String(data));
          send(data);
        };
        return socket;
      },
    });
    const events = record(sender);
    await events.reach("open");
    proxy.swallowReplies = true;
    const acked = sender.send("chat", { text: "once" });
    await until(() => frames.length === 1, "the first try");
    proxy.cut();
    proxy.swallowReplies = false;
    const ack = await acked;
    assert.equal(frames.length, 2);
    const [first, again] = frames.map((f) => JSON.parse(f));
    assert.equal(again.cid, first.cid);
    assert.ok(first.cid.length >= 1 && first.cid.length <= 64);
    assert.equal(typeof ack.id, "number");
    sender.close();
  } finally {
    await proxy.close();
    await server.close();
  }
});

Deno.test({
  name: "a send whose ack was lost is published once",
  async fn() {
    const server = await startServer();
    const proxy = startProxy(server.port);
    try {
      const watcher = await client(server, server.origin, "watcher");
      const watched = record(watcher);
      await watched.reach("open");
      const sender = await client(server, proxy.origin, "sender");
      const events = record(sender);
      await events.reach("open");
      proxy.swallowReplies = true;
      const acked = sender.send("chat", { text: "once" });
      const chats = () => watched.messages.filter((m) => m.type === "chat");
      await until(() => chats().length === 1, "the first publish");
      proxy.cut();
      proxy.swallowReplies = false;
      const ack = await acked;
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.deepEqual(chats().map((m) => m.id), [ack.id]);
      watcher.close();
      sender.close();
    } finally {
      await proxy.close();
      await server.close();
    }
  },
});
