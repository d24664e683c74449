import assert from "assert";
import { startServer } from "../_helpers/server.ts";
import { ADMIN, ANN, BOB, call, errorOf } from "./_room_api.ts";

Deno.test("GET /api/rooms/:id shows a room to admins and to users who may join it", async (t) => {
  const server = await startServer({ ROOMD_USERS_CAN_CREATE_ROOMS: "true" });
  try {
    await call(server, "POST", "/api/rooms", ADMIN, { id: "open" });
    await call(server, "POST", "/api/rooms", ANN, {
      id: "secret",
      is_private: true,
      members: ["bob"],
    });
    const bob = await server.connect("secret", BOB);
    await bob.nextOfType("system");

    await t.step("an admin sees the record with live counts", async () => {
      const res = await call(server, "GET", "/api/rooms/secret", ADMIN);
      assert.equal(res.status, 200);
      assert.equal(res.body!.id, "secret");
      assert.equal(res.body!.members_online, 1);
      assert.equal(res.body!.connections, 1);
      assert.equal(res.body!.empty_since, null);
    });
    await t.step("the creator and a member see a private room", async () => {
      assert.equal((await call(server, "GET", "/api/rooms/secret", ANN)).status, 200);
      assert.equal((await call(server, "GET", "/api/rooms/secret", BOB)).status, 200);
    });
    await t.step("anyone may see a public room; others get 403 on a private one", async () => {
      assert.equal((await call(server, "GET", "/api/rooms/open", { sub: "cy" })).status, 200);
      const res = await call(server, "GET", "/api/rooms/secret", { sub: "cy" });
      assert.equal(res.status, 403);
      assert.equal(errorOf(res.body).code, "forbidden");
    });
    await t.step("a token whose rooms claim does not grant the room is 403", async () => {
      const res = await call(server, "GET", "/api/rooms/open", { sub: "cy", rooms: ["other"] });
      assert.equal(res.status, 403);
      assert.match(errorOf(res.body).message, /the token does not grant it/);
    });
    await t.step("an unknown room is 404 not_found, a malformed id 400, no token 401", async () => {
      const missing = await call(server, "GET", "/api/rooms/nowhere", ADMIN);
      assert.equal(missing.status, 404);
      assert.equal(errorOf(missing.body).code, "not_found");
      assert.equal((await call(server, "GET", "/api/rooms/nowhere", ANN)).status, 404);
      const bad = await call(server, "GET", "/api/rooms/bad%20id", ADMIN);
      assert.equal(bad.status, 400);
      assert.equal(errorOf(bad.body).code, "invalid_room");
      assert.equal((await call(server, "GET", "/api/rooms/open")).status, 401);
    });
    await bob.close();
  } finally {
    await server.close();
  }
});

Deno.test("PATCH /api/rooms/:id changes a room for its owner and admins only", async (t) => {
  const server = await startServer({ ROOMD_USERS_CAN_CREATE_ROOMS: "true" });
  try {
    await call(server, "POST", "/api/rooms", ANN, { id: "anns", ttl_s: 60, msg_rate: 3 });

    await t.step("the creator renames it and changes its settings", async () => {
      const res = await call(server, "PATCH", "/api/rooms/anns", ANN, {
        name: "Ann's room",
        max_clients: 4,
        metadata: { v: 2 },
        ttl_s: null,
        msg_rate: null,
      });
      assert.equal(res.status, 200);
      assert.equal(res.body!.name, "Ann's room");
      assert.equal(res.body!.max_clients, 4);
      assert.deepEqual(res.body!.metadata, { v: 2 });
      assert.equal(res.body!.ttl_s, null);
      assert.equal(res.body!.msg_rate, null);
      const stored = await server.store.getRoom("anns");
      assert.equal(stored?.name, "Ann's room");
      assert.equal(stored?.ttl_s, null);
    });
    await t.step("an admin changes it too; fields not given stay as they were", async () => {
      const res = await call(server, "PATCH", "/api/rooms/anns", ADMIN, { is_private: true });
      assert.equal(res.status, 200);
      assert.equal(res.body!.is_private, true);
      assert.equal(res.body!.name, "Ann's room");
    });
    await t.step("another user is 403 and changes nothing", async () => {
      await call(server, "PATCH", "/api/rooms/anns", ADMIN, { is_private: false });
      const res = await call(server, "PATCH", "/api/rooms/anns", BOB, { name: "Bob's now" });
      assert.equal(res.status, 403);
      assert.match(errorOf(res.body).message, /only its owner or an admin may/);
      assert.equal((await server.store.getRoom("anns"))?.name, "Ann's room");
    });
    await t.step("a room created by a WebSocket join is managed by admins only", async () => {
      const bob = await server.connect("bobs", BOB);
      await bob.nextOfType("system");
      const res = await call(server, "PATCH", "/api/rooms/bobs", BOB, { name: "B" });
      assert.equal(res.status, 403);
      assert.equal(errorOf(res.body).code, "forbidden");
      assert.equal(
        (await call(server, "PATCH", "/api/rooms/bobs", ADMIN, { name: "A" })).status,
        200,
      );
      await bob.close();
    });
    await t.step("bad bodies are 400 with the field path, unknown fields included", async () => {
      const cases: Array<[unknown, RegExp]> = [
        [{ max_clients: -5 }, /^Invalid body: max_clients: Too small/],
        [{ members: "ann" }, /^Invalid body: members: /],
        [{ id: "renamed" }, /^Invalid body: Unrecognized key: "id"/],
        [{ created_by: "bob" }, /^Invalid body: Unrecognized key: "created_by"/],
        [{ empty_since: null }, /^Invalid body: Unrecognized key: "empty_since"/],
        [{ metadata: { blob: "x".repeat(9000) } }, /^Invalid body: metadata: Too big/],
      ];
      for (const [body, message] of cases) {
        const res = await call(server, "PATCH", "/api/rooms/anns", ANN, body);
        assert.equal(res.status, 400, JSON.stringify(body));
        assert.equal(errorOf(res.body).code, "invalid_body");
        assert.match(errorOf(res.body).message, message);
      }
      const huge = await call(server, "PATCH", "/api/rooms/anns", ANN, {
        name: "x".repeat(65 * 1024),
      });
      assert.equal(huge.status, 413);
    });
    await t.step("an unknown room is 404; no token is 401", async () => {
      assert.equal(
        (await call(server, "PATCH", "/api/rooms/nowhere", ADMIN, { name: "x" })).status,
        404,
      );
      assert.equal(
        (await call(server, "PATCH", "/api/rooms/anns", undefined, { name: "x" })).status,
        401,
      );
    });
  } finally {
    await server.close();
  }
});

Deno.test("DELETE /api/rooms/:id deletes a room for its owner and admins only", async () => {
  const server = await startServer({ ROOMD_USERS_CAN_CREATE_ROOMS: "true" });
  try {
    await call(server, "POST", "/api/rooms", ANN, { id: "one" });
    await call(server, "POST", "/api/rooms", ANN, { id: "two" });
    const refused = await call(server, "DELETE", "/api/rooms/one", BOB);
    assert.equal(refused.status, 403);
    assert.notEqual(await server.store.getRoom("one"), null);
    assert.equal((await call(server, "DELETE", "/api/rooms/one")).status, 401);

    const byCreator = await server.request("/api/rooms/one", { method: "DELETE", user: ANN });
    assert.equal(byCreator.status, 204);
    assert.equal(await byCreator.text(), "");
    assert.equal(await server.store.getRoom("one"), null);
    assert.equal((await call(server, "GET", "/api/rooms/one", ADMIN)).status, 404);
    assert.equal((await call(server, "DELETE", "/api/rooms/one", ANN)).status, 404);

    assert.equal((await call(server, "DELETE", "/api/rooms/two", ADMIN)).status, 204);
    assert.equal(await server.store.getRoom("two"), null);
  } finally {
    await server.close();
  }
});

Deno.test("GET /api/rooms/:id/members lists who is present with connection counts", async () => {
  const server = await startServer();
  try {
    await call(server, "POST", "/api/rooms", ADMIN, {
      id: "hall",
      is_private: true,
      members: ["ann", "bob"],
    });
    const empty = await call(server, "GET", "/api/rooms/hall/members", ANN);
    assert.equal(empty.status, 200);
    assert.deepEqual(empty.body, { members: [], count: 0, next_cursor: null });

    const ann1 = await server.connect("hall", ANN);
    await ann1.nextOfType("system");
    const ann2 = await server.connect("hall", ANN);
    await ann2.nextOfType("system");
    const bob = await server.connect("hall", BOB);
    await bob.nextOfType("system");

    const res = await call(server, "GET", "/api/rooms/hall/members", BOB);
    assert.equal(res.status, 200);
    assert.equal(res.body!.count, 2);
    assert.equal(res.body!.next_cursor, null);
    const members = res.body!.members as Array<Record<string, unknown>>;
    assert.deepEqual(members.map(({ id, name, connections }) => ({ id, name, connections })), [
      { id: "ann", name: "Ann", connections: 2 },
      { id: "bob", name: "Bob", connections: 1 },
    ]);
    for (const member of members) assert.ok(!Number.isNaN(Date.parse(String(member.joined_at))));

    assert.equal((await call(server, "GET", "/api/rooms/hall/members", ADMIN)).status, 200);
    const outsider = await call(server, "GET", "/api/rooms/hall/members", { sub: "cy" });
    assert.equal(outsider.status, 403);
    assert.equal((await call(server, "GET", "/api/rooms/nowhere/members", ADMIN)).status, 404);
    assert.equal((await call(server, "GET", "/api/rooms/hall/members")).status, 401);
    await Promise.all([ann1.close(), ann2.close(), bob.close()]);
  } finally {
    await server.close();
  }
});
