import assert from "assert";
import { parseRoomId } from "../../src/http/room_id.ts";
import { newRoomRecord } from "../../src/room/new_room.ts";
import { startServer } from "../_helpers/server.ts";
import { ADMIN, ANN, BOB, call, errorOf } from "../http/_room_api.ts";

for (const usersCanCreate of ["false", "true"]) {
  Deno.test(`the first user to join a room on demand gets no rights over it (users can create rooms: ${usersCanCreate})`, async (t) => {
    const server = await startServer({ ROOMD_USERS_CAN_CREATE_ROOMS: usersCanCreate });
    try {
      const ann = await server.connect("lobby", ANN);
      await ann.nextOfType("system");
      const bob = await server.connect("lobby", BOB);
      await bob.nextOfType("system");
      assert.equal((await server.store.getRoom("lobby"))?.created_by, "ann");

      await t.step("the first joiner cannot make it private", async () => {
        const res = await call(server, "PATCH", "/api/rooms/lobby", ANN, {
          is_private: true,
          members: [],
        });
        assert.equal(res.status, 403);
        assert.equal(errorOf(res.body).code, "forbidden");
        assert.equal((await server.store.getRoom("lobby"))?.is_private, false);
        bob.send({ type: "chat", data: { text: "still here" } });
        assert.equal((await ann.nextOfType("chat")).data.text, "still here");
      });
      await t.step("the first joiner cannot delete it", async () => {
        const res = await call(server, "DELETE", "/api/rooms/lobby", ANN);
        assert.equal(res.status, 403);
        assert.equal(errorOf(res.body).code, "forbidden");
        assert.notEqual(await server.store.getRoom("lobby"), null);
      });
      await t.step("an admin still manages it", async () => {
        const res = await call(server, "PATCH", "/api/rooms/lobby", ADMIN, { name: "Lobby" });
        assert.equal(res.status, 200);
      });
      await Promise.all([ann.close(), bob.close()]);
    } finally {
      await server.close();
    }
  });
}

Deno.test("a room made on demand in an existing database grants its recorded creator nothing", async () => {
  const server = await startServer();
  try {
    const old = newRoomRecord("legacy", "auto", "ann", 0, { is_private: true, members: ["bob"] });
    await server.store.createRoom(old);
    assert.equal((await call(server, "DELETE", "/api/rooms/legacy", ANN)).status, 403);
    assert.equal((await call(server, "GET", "/api/rooms/legacy", ANN)).status, 403);
    const token = await server.token(ANN);
    const res = await fetch(`${server.origin}/ws/legacy`, {
      headers: { authorization: `Bearer ${token}`, upgrade: "websocket" },
    });
    assert.equal(res.status, 403);
    assert.equal((await res.json()).error.code, "forbidden");
    assert.equal((await call(server, "GET", "/api/rooms/legacy", BOB)).status, 200);
  } finally {
    await server.close();
  }
});

Deno.test("a user allowed to create rooms through the API owns the rooms it creates", async () => {
  const server = await startServer({ ROOMD_USERS_CAN_CREATE_ROOMS: "true" });
  try {
    assert.equal((await call(server, "POST", "/api/rooms", ANN, { id: "anns" })).status, 201);
    assert.equal(
      (await call(server, "PATCH", "/api/rooms/anns", ANN, { is_private: true })).status,
      200,
    );
    assert.equal((await call(server, "DELETE", "/api/rooms/anns", BOB)).status, 403);
    assert.equal((await call(server, "DELETE", "/api/rooms/anns", ANN)).status, 204);
  } finally {
    await server.close();
  }
});

Deno.test("POST /api/rooms refuses the room ids . and .. (URL paths collapse them)", async () => {
  const server = await startServer();
  try {
    for (const id of [".", ".."]) {
      const res = await call(server, "POST", "/api/rooms", ADMIN, { id });
      assert.equal(res.status, 400, id);
      assert.equal(errorOf(res.body).code, "invalid_body");
      assert.match(errorOf(res.body).message, /Invalid room id/);
    }
    assert.equal((await call(server, "POST", "/api/rooms", ADMIN, { id: "..." })).status, 201);
    const token = await server.token(ANN);
    for (const path of ["/ws/%2E", "/ws/%2e%2E"]) {
      const res = await fetch(`${server.origin}${path}?token=${token}`, {
        headers: { origin: server.origin, upgrade: "websocket" },
      });
      // "/ws/.." collapses to "/", the demo page: never a room.
      assert.notEqual(res.status, 101, path);
      assert.notEqual(res.headers.get("upgrade"), "websocket", path);
      await res.body?.cancel();
    }
    assert.equal(await server.store.getRoom("."), null);
    assert.equal(await server.store.getRoom(".."), null);
    assert.deepEqual(["%2E", "..", "%2E."].map(parseRoomId), [null, null, null]);
  } finally {
    await server.close();
  }
});
