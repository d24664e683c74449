import assert from "assert";
import { newRoomRecord } from "../../src/room/new_room.ts";
import type { TestClient } from "../_helpers/client.ts";
import { startServer, type TestServer } from "../_helpers/server.ts";
import { ADMIN, call } from "./_room_api.ts";

const SLOW = { ROOMD_MSG_RATE: "5", ROOMD_MSG_BURST: "5" };

/** Sends `count` chat messages at once and collects the answer to each. */
async function burst(client: TestClient, count: number, tag: string) {
  for (let i = 0; i < count; i++) {
    client.send({ type: "chat", data: { text: `${tag}${i}` }, ref: `${tag}${i}` });
  }
  const answerTo = (i: number) => client.received.find((m) => m.ref === `${tag}${i}`);
  while (Array.from({ length: count }, (_, i) => answerTo(i)).some((m) => !m)) await client.next();
  return Array.from({ length: count }, (_, i) => answerTo(i)!);
}

Deno.test("a client over its message rate gets rate_limited with retry_after_ms", async () => {
  const server = await startServer(SLOW);
  try {
    const client = await server.connect("lobby", "ana");
    await client.nextOfType("system");
    const answers = await burst(client, 12, "m");
    const acks = answers.filter((m) => m.type === "ack");
    const refused = answers.filter((m) => m.type === "error");
    assert.ok(acks.length >= 5 && acks.length < 12, `${acks.length} acks`);
    assert.deepEqual(answers.slice(0, 5).map((m) => m.type), Array(5).fill("ack"));
    assert.equal(acks.length + refused.length, 12);
    for (const error of refused) {
      assert.equal(error.data.code, "rate_limited");
      assert.ok(error.data.retry_after_ms > 0 && error.data.retry_after_ms <= 200);
    }
    assert.equal(client.socket.readyState, WebSocket.OPEN);
    await client.close();
  } finally {
    await server.close();
  }
});

Deno.test("a room's own msg_rate and msg_burst override the server's", async () => {
  const server = await startServer(SLOW);
  try {
    const room = newRoomRecord("quiet", "api", null, 0, { msg_rate: 0.5, msg_burst: 2 });
    assert.ok(await server.store.createRoom(room));
    const client = await server.connect("quiet", "ana");
    await client.nextOfType("system");
    const answers = await burst(client, 4, "q");
    assert.deepEqual(answers.map((m) => m.type), ["ack", "ack", "error", "error"]);
    assert.ok(answers[2].data.retry_after_ms > 1000, "the wait follows the room's rate");
    await client.close();
  } finally {
    await server.close();
  }
});

Deno.test("a room's new rate applies to connections that have talked and to those that have not", async () => {
  const server = await startServer(SLOW);
  try {
    const room = newRoomRecord("calm", "api", null, 0, { msg_rate: 100, msg_burst: 100 });
    assert.ok(await server.store.createRoom(room));
    const talker = await server.connect("calm", "ana");
    const listener = await server.connect("calm", "bob");
    await talker.nextOfType("system");
    await listener.nextOfType("system");
    assert.deepEqual((await burst(talker, 3, "a")).map((m) => m.type), ["ack", "ack", "ack"]);
    const patched = await call(server, "PATCH", "/api/rooms/calm", ADMIN, {
      msg_rate: 0.5,
      msg_burst: 2,
    });
    assert.equal(patched.status, 200);
    for (const [client, who] of [[talker, "talker"], [listener, "listener"]] as const) {
      const answers = await burst(client, 4, who);
      assert.deepEqual(answers.map((m) => m.type), ["ack", "ack", "error", "error"], who);
      assert.ok(answers[2].data.retry_after_ms > 1000, `${who}: the wait follows the new rate`);
    }
    await talker.close();
    await listener.close();
  } finally {
    await server.close();
  }
});

Deno.test("a client flooding at 3× its limit is closed with 4429; other users are unaffected", async () => {
  const server = await startServer(SLOW);
  try {
    const flooder = await server.connect("lobby", "mal");
    const polite = await server.connect("lobby", "pat");
    const watcher = await server.connect("lobby", "wes");
    await watcher.nextOfType("system");
    let sent = 0;
    const started = performance.now();
    const flood = setInterval(() => {
      const due = Math.floor(((performance.now() - started) / 1000) * 15);
      while (sent < due && flooder.socket.readyState === WebSocket.OPEN) {
        flooder.send({ type: "chat", data: { text: `f${sent}` }, ref: `f${sent++}` });
      }
    }, 1000 / 15);
    let politeSent = 0;
    const steady = setInterval(() => {
      polite.send({ type: "chat", data: { text: `p${politeSent}` }, ref: `p${politeSent++}` });
    }, 1000 / 3);
    let closed;
    try {
      closed = await flooder.waitClosed(15_000);
    } finally {
      clearInterval(flood);
      clearInterval(steady);
    }
    assert.equal(closed.code, 4429);
    const refused = flooder.received.filter((m) => m.type === "error");
    assert.ok(refused.length > 0 && refused.every((m) => m.data.code === "rate_limited"));

    for (let i = 0; i < politeSent; i++) {
      const answer = await polite.next((m) => m.ref === `p${i}`);
      assert.equal(answer.type, "ack", `polite message ${i}`);
    }
    const lastPolite = polite.received.findLast((m) => m.type === "ack")!.id;
    await watcher.next((m) => m.type === "chat" && m.id === lastPolite);
    const acked = flooder.received.filter((m) => m.type === "ack").map((m) => m.id);
    const expected = [
      ...acked,
      ...polite.received.filter((m) => m.type === "ack").map((m) => m.id),
    ].sort((a, b) => a - b);
    const seen = watcher.received.filter((m) => m.type === "chat").map((m) => m.id);
    assert.deepEqual(seen, expected, "the watcher got every accepted message, in order");
    assert.ok(sent > acked.length, "the flooder was refused part of what it sent");
    assert.equal(watcher.socket.readyState, WebSocket.OPEN);
    await polite.close();
    await watcher.close();
  } finally {
    await server.close();
  }
});

async function attempt(server: TestServer, user: string, ip?: string) {
  const headers: Record<string, string> = {
    origin: server.origin,
    authorization: `Bearer ${await server.token({ sub: user })}`,
  };
  if (ip) headers["x-forwarded-for"] = ip;
  const res = await fetch(`${server.origin}/ws/lobby`, { headers });
  return { status: res.status, retryAfter: res.headers.get("retry-after"), body: await res.json() };
}

Deno.test("join attempts over ROOMD_JOIN_RATE per IP → 429 with Retry-After", async () => {
  const server = await startServer({ ROOMD_JOIN_RATE: "3" });
  try {
    for (const user of ["a", "b", "c"]) {
      assert.equal((await attempt(server, user)).status, 426, "counted, then refused as plain GET");
    }
    const refused = await attempt(server, "d");
    assert.equal(refused.status, 429);
    assert.equal(refused.body.error.code, "rate_limited");
    assert.match(refused.body.error.message, /from this address/);
    assert.ok(Number(refused.retryAfter) >= 1, `Retry-After: ${refused.retryAfter}`);
  } finally {
    await server.close();
  }
});

Deno.test("join attempts over ROOMD_JOIN_RATE per user → 429 with Retry-After", async () => {
  const server = await startServer({ ROOMD_JOIN_RATE: "3", ROOMD_TRUST_PROXY: "true" });
  try {
    for (const ip of ["203.0.113.1", "203.0.113.2", "203.0.113.3"]) {
      assert.equal((await attempt(server, "ana", ip)).status, 426);
    }
    const refused = await attempt(server, "ana", "203.0.113.4");
    assert.equal(refused.status, 429);
    assert.match(refused.body.error.message, /by this user/);
    assert.ok(Number(refused.retryAfter) >= 1);
    assert.equal((await attempt(server, "bo", "203.0.113.5")).status, 426, "others may join");
  } finally {
    await server.close();
  }
});
