import assert from "assert";
import { newRoomRecord, type RoomSettings } from "../../src/room/new_room.ts";
import type { TestClient } from "../_helpers/client.ts";
import { startServer, type TestServer, type TestUser } from "../_helpers/server.ts";
import { ADMIN } from "./_room_api.ts";

const TYPES = {
  types: {
    reaction: {
      schema: {
        type: "object",
        properties: { emoji: { type: "string", maxLength: 8 } },
        required: ["emoji"],
        additionalProperties: false,
      },
      max_bytes: 64,
      persist: true,
    },
    typing: {
      schema: { type: "object", properties: { on: { type: "boolean" } } },
      persist: false,
    },
  },
};

async function createRoom(server: TestServer, id: string, settings: RoomSettings = {}) {
  assert.ok(await server.store.createRoom(newRoomRecord(id, "api", null, 0, settings)));
}

/** Publishes `count` chat messages as `user` and waits for every ack. */
async function chat(client: TestClient, count: number): Promise<number[]> {
  const ids: number[] = [];
  for (let i = 0; i < count; i++) {
    client.send({ type: "chat", data: { text: `m${i}` }, ref: `r${i}` });
    ids.push((await client.next((m) => m.type === "ack" && m.ref === `r${i}`)).id);
  }
  return ids;
}

async function get(server: TestServer, path: string, user: TestUser = ADMIN) {
  const res = await server.request(path, { user });
  return { status: res.status, body: await res.json(), headers: res.headers };
}

async function post(
  server: TestServer,
  room: string,
  body: unknown,
  options: { user?: TestUser; key?: string } = {},
) {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (options.key !== undefined) headers["idempotency-key"] = options.key;
  const res = await server.request(`/api/rooms/${room}/messages`, {
    method: "POST",
    body: typeof body === "string" ? body : JSON.stringify(body),
    headers,
    user: options.user ?? ADMIN,
  });
  return { status: res.status, body: await res.json(), headers: res.headers };
}

const ids = (body: { messages: { id: number }[] }) => body.messages.map((m) => m.id);

Deno.test("GET /api/rooms/:id/messages pages history by before, since and limit", async (t) => {
  const server = await startServer();
  try {
    const publisher = await server.connect("lobby", "ana");
    const watcher = await server.connect("lobby", "bo");
    await watcher.nextOfType("system");
    assert.deepEqual(await chat(publisher, 12), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    const live = await watcher.next((m) => m.type === "chat" && m.id === 1);
    const page = (query: string) => get(server, `/api/rooms/lobby/messages${query}`, { sub: "bo" });

    await t.step("without parameters: the newest 50, oldest first", async () => {
      const r = await page("");
      assert.equal(r.status, 200);
      assert.deepEqual(ids(r.body), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
      assert.equal(r.body.has_more, false);
    });
    await t.step("the envelopes are the ones the socket delivers", async () => {
      const r = await page("?limit=1&before=2");
      assert.deepStrictEqual(r.body.messages, [live]);
    });
    await t.step("limit and before walk backwards until has_more is false", async () => {
      const first = await page("?limit=5");
      assert.deepEqual([ids(first.body), first.body.has_more], [[8, 9, 10, 11, 12], true]);
      const second = await page("?limit=5&before=8");
      assert.deepEqual([ids(second.body), second.body.has_more], [[3, 4, 5, 6, 7], true]);
      const last = await page("?limit=5&before=3");
      assert.deepEqual([ids(last.body), last.body.has_more], [[1, 2], false]);
    });
    await t.step("since walks forwards until has_more is false", async () => {
      const first = await page("?since=2&limit=4");
      assert.deepEqual([ids(first.body), first.body.has_more], [[3, 4, 5, 6], true]);
      const last = await page("?since=9&limit=4");
      assert.deepEqual([ids(last.body), last.body.has_more], [[10, 11, 12], false]);
    });
    await t.step("since and before together bound both ends", async () => {
      const r = await page("?since=3&before=8&limit=200&unknown=1");
      assert.deepEqual([ids(r.body), r.body.has_more], [[4, 5, 6, 7], false]);
    });
    await t.step("bad parameters → 400 invalid_query naming the parameter", async () => {
      const bad = {
        limit: ["0", "201", "abc", "1.5", "-1"],
        since: ["-1", "x", "2e3"],
        before: ["0", "1.5"],
      };
      for (const [name, values] of Object.entries(bad)) {
        for (const value of values) {
          const r = await page(`?${name}=${encodeURIComponent(value)}`);
          assert.equal(r.status, 400, `${name}=${value}`);
          assert.equal(r.body.error.code, "invalid_query");
          assert.match(r.body.error.message, new RegExp(`^Invalid query: ${name} `));
        }
      }
    });
    await publisher.close();
    await watcher.close();
  } finally {
    await server.close();
  }
});

Deno.test("GET /api/rooms/:id/messages is for admins and users who may join", async () => {
  const server = await startServer();
  try {
    await createRoom(server, "open");
    await createRoom(server, "secret", { is_private: true, members: ["member"] });
    const status = async (room: string, user: TestUser) =>
      (await get(server, `/api/rooms/${room}/messages`, user)).status;
    assert.equal(await status("open", { sub: "anyone" }), 200);
    assert.equal(await status("open", { sub: "limited", rooms: ["other"] }), 403);
    assert.equal(await status("secret", { sub: "anyone" }), 403);
    assert.equal(await status("secret", { sub: "member" }), 200);
    assert.equal(await status("secret", { sub: "member", rooms: ["open"] }), 403);
    assert.equal(await status("secret", { sub: "root", admin: true, rooms: ["open"] }), 200);
    assert.equal(await status("missing", ADMIN), 404);
    assert.equal(await status("bad%20id", ADMIN), 400);
    const anonymous = await server.request("/api/rooms/open/messages");
    assert.equal(anonymous.status, 401);
    await anonymous.body?.cancel();
  } finally {
    await server.close();
  }
});

Deno.test("POST /api/rooms/:id/messages publishes a system message as the server", async () => {
  const server = await startServer();
  try {
    const client = await server.connect("lobby", "ana");
    await client.nextOfType("system");
    const r = await post(server, "lobby", { type: "system", data: { text: "maintenance at 5" } });
    assert.equal(r.status, 201);
    assert.equal(r.body.id, 1);
    assert.ok(!Number.isNaN(Date.parse(r.body.timestamp)));
    const live = await client.next((m) => m.type === "system" && m.id === 1);
    assert.deepStrictEqual(live, {
      type: "system",
      room_id: "lobby",
      user_id: null,
      data: { text: "maintenance at 5" },
      timestamp: r.body.timestamp,
      id: 1,
    });
    const history = await get(server, "/api/rooms/lobby/messages");
    assert.deepStrictEqual(history.body.messages, [live]);
    client.send({ type: "chat", data: { text: "after" }, ref: "a" });
    assert.equal((await client.nextOfType("ack")).id, 2, "ids continue after a server message");
    await client.close();
  } finally {
    await server.close();
  }
});

Deno.test("POST /api/rooms/:id/messages validates the body and who asks", async (t) => {
  const server = await startServer({}, TYPES);
  try {
    await createRoom(server, "lobby");
    await t.step("non-admins get 403, anonymous callers 401", async () => {
      const r = await post(server, "lobby", { type: "system", data: {} }, { user: { sub: "u" } });
      assert.equal(r.status, 403);
      const anonymous = await server.request("/api/rooms/lobby/messages", {
        method: "POST",
        body: JSON.stringify({ type: "system", data: {} }),
      });
      assert.equal(anonymous.status, 401);
      await anonymous.body?.cancel();
    });
    await t.step("system data must be an object", async () => {
      for (const data of [[1], "text", null, 3]) {
        const r = await post(server, "lobby", { type: "system", data });
        assert.equal(r.status, 400, JSON.stringify(data));
        assert.equal(r.body.error.code, "invalid_message");
        assert.equal(r.body.error.message, 'Invalid "system" message: data: must be an object');
      }
      const missing = await post(server, "lobby", { type: "system" });
      assert.equal(missing.status, 400);
    });
    await t.step("a malformed body → 400 naming the field", async () => {
      const extra = await post(server, "lobby", { type: "system", data: {}, extra: 1 });
      assert.equal(extra.status, 400);
      assert.equal(extra.body.error.code, "invalid_message");
      const noType = await post(server, "lobby", { data: {} });
      assert.match(noType.body.error.message, /^Invalid message: type: /);
      const notJson = await post(server, "lobby", "{nope");
      assert.equal(notJson.status, 400);
      assert.equal(notJson.body.error.code, "invalid_body");
    });
    await t.step("chat and undeclared types → 400 unknown_type", async () => {
      for (const type of ["chat", "poll", "presence", "toString"]) {
        const r = await post(server, "lobby", { type, data: { text: "x" } });
        assert.equal(r.status, 400, type);
        assert.equal(r.body.error.code, "unknown_type");
      }
    });
    await t.step("a declared type's data is checked by its JSON Schema and size", async () => {
      const wrong = await post(server, "lobby", { type: "reaction", data: { emoji: 5 } });
      assert.equal(wrong.status, 400);
      assert.equal(
        wrong.body.error.message,
        'Invalid "reaction" message: data.emoji: must be string',
      );
      const big = await post(server, "lobby", {
        type: "reaction",
        data: { emoji: "x", n: "y".repeat(80) },
      });
      assert.equal(big.status, 400);
      assert.match(big.body.error.message, /over the 64-byte limit of "reaction"/);
    });
    await t.step("system data over ROOMD_MAX_MESSAGE_BYTES → 413", async () => {
      const r = await post(server, "lobby", { type: "system", data: { t: "x".repeat(40_000) } });
      assert.equal(r.status, 413);
      assert.equal(r.body.error.code, "message_too_large");
    });
    await t.step("a room that does not exist → 404", async () => {
      const r = await post(server, "nowhere", { type: "system", data: {} });
      assert.equal(r.status, 404);
      assert.equal(r.body.error.code, "not_found");
      assert.equal(await server.store.getRoom("nowhere"), null, "publishing creates no room");
    });
    const history = await get(server, "/api/rooms/lobby/messages");
    assert.deepEqual(history.body.messages, [], "no refused request published anything");
  } finally {
    await server.close();
  }
});

Deno.test("POST /api/rooms/:id/messages publishes declared types, persisted or not", async () => {
  const server = await startServer({}, TYPES);
  try {
    const client = await server.connect("lobby", "ana");
    await client.nextOfType("system");
    const reaction = await post(server, "lobby", { type: "reaction", data: { emoji: "🎉" } });
    assert.deepEqual([reaction.status, reaction.body.id], [201, 1]);
    const typing = await post(server, "lobby", { type: "typing", data: { on: true } });
    assert.deepEqual([typing.status, typing.body.id], [201, null]);
    const relayed = await client.nextOfType("typing");
    assert.equal(relayed.id, undefined);
    assert.equal(relayed.user_id, null);
    const history = await get(server, "/api/rooms/lobby/messages");
    assert.deepEqual(history.body.messages.map((m: { type: string }) => m.type), ["reaction"]);
    await client.close();
  } finally {
    await server.close();
  }
});

Deno.test("POST /api/rooms/:id/messages with an Idempotency-Key publishes once", async (t) => {
  const server = await startServer();
  try {
    await createRoom(server, "lobby");
    await createRoom(server, "other");
    const client = await server.connect("lobby", "ana");
    await client.nextOfType("system");
    const body = { type: "system", data: { text: "once" } };

    await t.step("the same key twice → one message, the same answer", async () => {
      const first = await post(server, "lobby", body, { key: "k-1" });
      const second = await post(server, "lobby", body, { key: "k-1" });
      assert.equal(first.status, 201);
      assert.deepStrictEqual([second.status, second.body], [201, first.body]);
      assert.equal(first.headers.get("idempotent-replayed"), null);
      assert.equal(second.headers.get("idempotent-replayed"), "true");
    });
    await t.step("concurrent retries share one publish", async () => {
      const answers = await Promise.all(
        Array.from({ length: 8 }, () => post(server, "lobby", body, { key: "k-2" })),
      );
      assert.equal(new Set(answers.map((a) => a.body.id)).size, 1);
      assert.ok(answers.every((a) => a.status === 201));
    });
    await t.step("the key with another body → 422, nothing published", async () => {
      const r = await post(server, "lobby", { type: "system", data: { text: "other" } }, {
        key: "k-1",
      });
      assert.equal(r.status, 422);
      assert.equal(r.body.error.code, "idempotency_key_reused");
    });
    await t.step("keys are per room, and a new key publishes again", async () => {
      const elsewhere = await post(server, "other", body, { key: "k-1" });
      assert.deepEqual([elsewhere.status, elsewhere.body.id], [201, 1]);
      const fresh = await post(server, "lobby", body, { key: "k-3" });
      assert.equal(fresh.body.id, 3);
    });
    await t.step("a key with spaces or over 255 characters → 400", async () => {
      for (const key of ["has space", "x".repeat(256)]) {
        const r = await post(server, "lobby", body, { key });
        assert.equal(r.status, 400);
        assert.equal(r.body.error.code, "invalid_idempotency_key");
      }
    });
    const history = await get(server, "/api/rooms/lobby/messages");
    assert.deepEqual(ids(history.body), [1, 2, 3]);
    await client.next((m) => m.type === "system" && m.id === 3);
    const delivered = client.received.filter((m) => m.type === "system" && m.id !== undefined);
    assert.deepEqual(delivered.map((m) => m.id), [1, 2, 3]);
    await client.close();
  } finally {
    await server.close();
  }
});
