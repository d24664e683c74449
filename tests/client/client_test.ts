import assert from "assert";
import { connect, type RoomClient, RoomdError } from "../../src/client/mod.ts";
import { startServer, type TestServer } from "../_helpers/server.ts";
import { until } from "../_helpers/until.ts";
import { denoOptions } from "./_options.ts";
import { record } from "./_record.ts";

async function join(server: TestServer, sub: string, room = "lobby"): Promise<RoomClient> {
  const client = connect(server.origin, {
    room,
    token: await server.token({ sub, name: sub }),
    ...denoOptions(),
  });
  await record(client).reach("open");
  return client;
}

const TYPES = {
  types: {
    typing: { persist: false, schema: { type: "object" }, max_bytes: 256 },
    poll: { persist: true, schema: { type: "object" }, max_bytes: 1024 },
  },
};

Deno.test("send() resolves with the ack's id and time, and the others get the message as typed events", async () => {
  const server = await startServer({}, TYPES);
  try {
    const alice = await join(server, "alice");
    const bob = await join(server, "bob");
    const chats: unknown[] = [];
    const typing: unknown[] = [];
    const polls: unknown[] = [];
    bob.on("chat", (m) => chats.push(m.data));
    bob.on("typing", (m) => typing.push(m.data));
    bob.on("poll", (m) => polls.push(m.data));
    const ack = await alice.send("chat", { text: "hi" });
    assert.equal(typeof ack.id, "number");
    assert.match(ack.timestamp, /^\d{4}-\d\d-\d\dT/);
    const relayed = await alice.send("typing", { on: true });
    assert.equal(relayed.id, undefined, "ephemeral types get no id");
    const poll = await alice.send("poll", { q: "?" });
    assert.equal(poll.id, ack.id! + 1);
    await until(() => chats.length + typing.length + polls.length === 3, "bob's events");
    assert.deepEqual(chats, [{ text: "hi" }]);
    assert.deepEqual(typing, [{ on: true }]);
    assert.deepEqual(polls, [{ q: "?" }]);
    alice.close();
    bob.close();
  } finally {
    await server.close();
  }
});

Deno.test("send() rejects with the server's error code and message", async () => {
  const server = await startServer();
  try {
    const alice = await join(server, "alice");
    await assert.rejects(alice.send("nope", {}), (error: RoomdError) => {
      assert.ok(error instanceof RoomdError);
      assert.equal(error.code, "unknown_type");
      assert.match(error.message, /Cannot send "nope"/);
      return true;
    });
    await assert.rejects(alice.send("chat", { text: "" }), { code: "invalid_message" });
    assert.equal(alice.state, "open", "errors leave the connection open");
    alice.close();
  } finally {
    await server.close();
  }
});

Deno.test("presence events tell who joins and leaves", async () => {
  const server = await startServer();
  try {
    const alice = await join(server, "alice");
    const seen: string[] = [];
    alice.on("presence", (m) => {
      for (const user of m.data.joins ?? []) seen.push(`join ${user.id}`);
      for (const user of m.data.leaves ?? []) seen.push(`leave ${user.id}`);
    });
    const bob = await join(server, "bob");
    // Presence goes out once per tick, where a join and a leave of the same user cancel out.
    await until(() => seen.includes("join bob"), "bob's join");
    bob.close();
    await until(() => seen.includes("leave bob"), "bob's leave");
    assert.deepEqual(seen.filter((s) => s.endsWith("bob")), ["join bob", "leave bob"]);
    alice.close();
  } finally {
    await server.close();
  }
});

Deno.test("history() pages back through the room's messages", async () => {
  const server = await startServer();
  try {
    const alice = await join(server, "alice");
    const ids: number[] = [];
    for (let i = 0; i < 5; i++) ids.push((await alice.send("chat", { text: `m${i}` })).id!);
    const page = await alice.history({ limit: 2 });
    assert.deepEqual(page.messages.map((m) => m.id), ids.slice(3));
    assert.equal(page.has_more, true);
    const older = await alice.history({ before: ids[3], limit: 10 });
    assert.deepEqual(older.messages.map((m) => m.id), ids.slice(0, 3));
    assert.equal(older.has_more, false);
    alice.close();
  } finally {
    await server.close();
  }
});

Deno.test("close() ends the connection for good: state closed, later sends reject, no reconnect", async () => {
  const server = await startServer();
  try {
    const opened = { sockets: [] as string[], protocols: [] as string[][], checks: [] as string[] };
    const client = connect(server.origin, {
      room: "lobby",
      token: await server.token({ sub: "alice" }),
      ...denoOptions(opened),
    });
    const events = record(client);
    await events.reach("open");
    client.close();
    const closed = await events.reach("closed");
    assert.equal(closed.reason?.code, "closed");
    await assert.rejects(client.send("chat", { text: "late" }), { code: "closed" });
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(opened.sockets.length, 1);
    assert.deepEqual(events.states.map((s) => s.state), ["open", "closed"]);
  } finally {
    await server.close();
  }
});

Deno.test("a resume from another epoch opens with recovered: false, so the app reloads history", async () => {
  const server = await startServer();
  try {
    const alice = await join(server, "alice");
    await alice.send("chat", { text: "before" });
    const client = connect(server.origin, {
      room: "lobby",
      token: await server.token({ sub: "bob" }),
      since: 1,
      epoch: "an-epoch-long-gone",
      ...denoOptions(),
    });
    const events = record(client);
    const opened = await events.reach("open");
    assert.equal(opened.recovered, false);
    await until(() => events.messages.some((m) => m.type === "chat"), "what the room retains");
    assert.equal(client.position.epoch, client.welcome?.epoch);
    alice.close();
    client.close();
  } finally {
    await server.close();
  }
});

Deno.test("the default transport offers the token as a subprotocol, never in the URL", async () => {
  const server = await startServer();
  try {
    const opened = { sockets: [] as string[], protocols: [] as string[][], checks: [] as string[] };
    const token = await server.token({ sub: "alice" });
    const client = connect(server.origin, {
      room: "lobby",
      token,
      ...denoOptions(opened),
      tokenTransport: "subprotocol",
      maxAttempts: 0,
    });
    await until(() => opened.sockets.length === 1, "a socket");
    assert.deepEqual(opened.protocols[0], ["roomd", `roomd.token.${token}`]);
    assert.ok(!opened.sockets[0].includes(token));
    client.close();
  } finally {
    await server.close();
  }
});

Deno.test({
  name: "a client with the subprotocol transport connects",
  async fn() {
    const server = await startServer();
    try {
      const client = connect(server.origin, {
        room: "lobby",
        token: await server.token({ sub: "alice" }),
        ...denoOptions(),
        tokenTransport: "subprotocol",
      });
      await record(client).reach("open");
      client.close();
    } finally {
      await server.close();
    }
  },
});

Deno.test({
  name: "members() pages through the room's members",
  async fn() {
    const server = await startServer();
    try {
      const alice = await join(server, "alice");
      const bob = await join(server, "bob");
      const first = await alice.members({ limit: 1 });
      assert.equal(first.count, 2);
      assert.equal(first.members.length, 1);
      assert.notEqual(first.cursor, null);
      const second = await alice.members({ cursor: first.cursor!, limit: 1 });
      assert.equal(second.cursor, null);
      const ids = [...first.members, ...second.members].map((m) => m.id).sort();
      assert.deepEqual(ids, ["alice", "bob"]);
      alice.close();
      bob.close();
    } finally {
      await server.close();
    }
  },
});

Deno.test("a custom type named like a client event arrives as a message, never as that event", async () => {
  const server = await startServer({}, {
    types: { state: { persist: true, schema: { type: "object" }, max_bytes: 256 } },
  });
  try {
    const alice = await join(server, "alice");
    const bob = await join(server, "bob");
    const events = record(bob);
    await alice.send("state", { mood: "fine" });
    await until(() => events.messages.some((m) => m.type === "state"), "the message");
    assert.deepEqual(events.states, [], "no state event from a room message");
    alice.close();
    bob.close();
  } finally {
    await server.close();
  }
});
