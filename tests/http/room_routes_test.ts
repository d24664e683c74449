import assert from "assert";
import { startServer } from "../_helpers/server.ts";
import { ADMIN, ANN, BOB, call, errorOf } from "./_room_api.ts";

Deno.test("POST /api/rooms creates a room with its settings and refuses duplicates", async (t) => {
  const server = await startServer();
  try {
    await t.step(
      "an admin creates a room: 201 with the record, live counts and Location",
      async () => {
        const res = await call(server, "POST", "/api/rooms", ADMIN, {
          id: "team:general",
          name: "General",
          max_clients: 10,
          is_private: true,
          members: ["ann", "ann", "bob"],
          metadata: { topic: "all things" },
          ttl_s: 600,
          msg_rate: 5,
          msg_burst: 10,
        });
        assert.equal(res.status, 201);
        assert.equal(res.headers.get("location"), "/api/rooms/team%3Ageneral");
        const room = res.body!;
        assert.equal(room.id, "team:general");
        assert.equal(room.name, "General");
        assert.equal(room.created_by, "admin");
        assert.equal(room.max_clients, 10);
        assert.equal(room.is_private, true);
        assert.deepEqual(room.members, ["ann", "bob"]);
        assert.deepEqual(room.metadata, { topic: "all things" });
        assert.equal(room.ttl_s, 600);
        assert.equal(room.msg_rate, 5);
        assert.equal(room.msg_burst, 10);
        assert.equal(room.origin, "api");
        assert.equal(room.members_online, 0);
        assert.equal(room.connections, 0);
        assert.equal(room.empty_since, room.created_at);
        assert.ok(!("epoch" in room), "the history epoch is internal");
        const stored = await server.store.getRoom("team:general");
        assert.equal(stored?.name, "General");
      },
    );

    await t.step("defaults fill the settings that are not given", async () => {
      const res = await call(server, "POST", "/api/rooms", ADMIN, { id: "plain" });
      assert.equal(res.status, 201);
      assert.equal(res.body!.name, "plain");
      assert.equal(res.body!.max_clients, 0);
      assert.equal(res.body!.is_private, false);
      assert.deepEqual(res.body!.members, []);
      assert.deepEqual(res.body!.metadata, {});
      assert.equal(res.body!.ttl_s, null);
      assert.equal(res.body!.msg_rate, null);
    });

    await t.step("a second room with the same id is 409 room_exists", async () => {
      const res = await call(server, "POST", "/api/rooms", ADMIN, { id: "plain", name: "Again" });
      assert.equal(res.status, 409);
      assert.equal(errorOf(res.body).code, "room_exists");
      assert.equal((await server.store.getRoom("plain"))?.name, "plain");
    });

    await t.step("a room first created by a WebSocket join also counts as existing", async () => {
      const client = await server.connect("auto-room", ANN);
      await client.nextOfType("system");
      const res = await call(server, "POST", "/api/rooms", ADMIN, { id: "auto-room" });
      assert.equal(res.status, 409);
      await client.close();
    });

    await t.step("without a token it is 401, with a bad token 401", async () => {
      assert.equal((await call(server, "POST", "/api/rooms", undefined, { id: "x" })).status, 401);
      const res = await server.request("/api/rooms", {
        method: "POST",
        headers: { authorization: "Bearer not-a-jwt" },
        body: JSON.stringify({ id: "x" }),
      });
      assert.equal(res.status, 401);
      assert.equal((await res.json()).error.code, "unauthorized");
    });

    await t.step("a non-admin is 403 when users may not create rooms", async () => {
      const res = await call(server, "POST", "/api/rooms", ANN, { id: "anns" });
      assert.equal(res.status, 403);
      assert.equal(errorOf(res.body).code, "forbidden");
      assert.equal(await server.store.getRoom("anns"), null);
    });
  } finally {
    await server.close();
  }
});

Deno.test("POST /api/rooms lets any user create rooms when ROOMD_USERS_CAN_CREATE_ROOMS=true", async () => {
  const server = await startServer({ ROOMD_USERS_CAN_CREATE_ROOMS: "true" });
  try {
    const res = await call(server, "POST", "/api/rooms", ANN, { id: "anns-room" });
    assert.equal(res.status, 201);
    assert.equal(res.body!.created_by, "ann");
    const scoped = { sub: "cy", rooms: ["cy-*"] };
    assert.equal((await call(server, "POST", "/api/rooms", scoped, { id: "cy-1" })).status, 201);
    const outside = await call(server, "POST", "/api/rooms", scoped, { id: "elsewhere" });
    assert.equal(outside.status, 403);
    assert.match(errorOf(outside.body).message, /the token does not grant it/);
  } finally {
    await server.close();
  }
});

Deno.test("POST /api/rooms refuses bad bodies with 400 naming the field, and 413 over 64 KiB", async (t) => {
  const server = await startServer();
  try {
    const cases: Array<[string, unknown, RegExp]> = [
      ["missing id", { name: "x" }, /^Invalid body: id: /],
      ["bad id", { id: "has space" }, /^Invalid body: id: Invalid room id/],
      ["id too long", { id: "x".repeat(65) }, /^Invalid body: id: /],
      ["negative capacity", { id: "a", max_clients: -1 }, /^Invalid body: max_clients: Too small/],
      ["fractional capacity", { id: "a", max_clients: 1.5 }, /^Invalid body: max_clients: /],
      ["capacity as text", { id: "a", max_clients: "10" }, /^Invalid body: max_clients: /],
      ["privacy as text", { id: "a", is_private: "yes" }, /^Invalid body: is_private: /],
      ["member not a string", { id: "a", members: ["ok", 7] }, /^Invalid body: members\.1: /],
      ["empty name", { id: "a", name: "" }, /^Invalid body: name: Too small/],
      ["metadata array", { id: "a", metadata: [1] }, /^Invalid body: metadata: /],
      [
        "metadata over 8 KiB",
        { id: "a", metadata: { blob: "x".repeat(8200) } },
        /^Invalid body: metadata: Too big: expected at most 8192 bytes/,
      ],
      ["zero ttl", { id: "a", ttl_s: 0 }, /^Invalid body: ttl_s: Too small/],
      ["zero rate", { id: "a", msg_rate: 0 }, /^Invalid body: msg_rate: Too small/],
      ["unknown field", { id: "a", colour: "red" }, /^Invalid body: Unrecognized key: "colour"/],
      ["internal field", { id: "a", epoch: "e" }, /^Invalid body: Unrecognized key: "epoch"/],
      ["not an object", [1, 2], /^Invalid body: Invalid input: expected object/],
      ["not JSON", "{nope", /^Invalid body: not valid JSON$/],
    ];
    for (const [what, body, message] of cases) {
      await t.step(`${what} is 400 invalid_body`, async () => {
        const res = await call(server, "POST", "/api/rooms", ADMIN, body);
        assert.equal(res.status, 400);
        const error = errorOf(res.body);
        assert.equal(error.code, "invalid_body");
        assert.match(error.message, message);
      });
    }
    await t.step("metadata of exactly 8 KiB is accepted", async () => {
      const filler = "x".repeat(8192 - JSON.stringify({ b: "" }).length);
      const res = await call(server, "POST", "/api/rooms", ADMIN, {
        id: "big",
        metadata: { b: filler },
      });
      assert.equal(res.status, 201);
    });
    await t.step("a body over 64 KiB is 413 body_too_large", async () => {
      const body = { id: "huge", metadata: { blob: "x".repeat(70 * 1024) } };
      const res = await call(server, "POST", "/api/rooms", ADMIN, body);
      assert.equal(res.status, 413);
      assert.equal(errorOf(res.body).code, "body_too_large");
      assert.equal(await server.store.getRoom("huge"), null);
    });
    await t.step("no room was created by any refused request", async () => {
      assert.equal(await server.store.getRoom("a"), null);
    });
  } finally {
    await server.close();
  }
});

Deno.test("GET /api/rooms lists rooms for admins with live counts, a prefix and cursor paging", async (t) => {
  const server = await startServer();
  try {
    for (const id of ["team-1:a", "team-1:b", "team-1:c", "team-2:a", "zoo"]) {
      assert.equal((await call(server, "POST", "/api/rooms", ADMIN, { id })).status, 201);
    }
    const ann1 = await server.connect("team-1:b", ANN);
    await ann1.nextOfType("system");
    const ann2 = await server.connect("team-1:b", ANN);
    await ann2.nextOfType("system");
    const bob = await server.connect("team-1:b", BOB);
    await bob.nextOfType("system");

    await t.step("every room, ordered by id, with members and connections", async () => {
      const res = await call(server, "GET", "/api/rooms", ADMIN);
      assert.equal(res.status, 200);
      const rooms = res.body!.rooms as Array<Record<string, unknown>>;
      assert.deepEqual(rooms.map((r) => r.id), [
        "team-1:a",
        "team-1:b",
        "team-1:c",
        "team-2:a",
        "zoo",
      ]);
      assert.equal(res.body!.next_cursor, null);
      const busy = rooms.find((r) => r.id === "team-1:b")!;
      assert.equal(busy.members_online, 2);
      assert.equal(busy.connections, 3);
      assert.equal(rooms.find((r) => r.id === "zoo")!.connections, 0);
    });

    await t.step("?prefix= filters and ?limit=&cursor= pages", async () => {
      const first = await call(server, "GET", "/api/rooms?prefix=team-1:&limit=2", ADMIN);
      assert.equal(first.status, 200);
      const ids = (first.body!.rooms as Array<{ id: string }>).map((r) => r.id);
      assert.deepEqual(ids, ["team-1:a", "team-1:b"]);
      assert.equal(first.body!.next_cursor, "team-1:b");
      const cursor = encodeURIComponent(first.body!.next_cursor as string);
      const second = await call(
        server,
        "GET",
        `/api/rooms?prefix=team-1:&limit=2&cursor=${cursor}`,
        ADMIN,
      );
      assert.deepEqual((second.body!.rooms as Array<{ id: string }>).map((r) => r.id), [
        "team-1:c",
      ]);
      assert.equal(second.body!.next_cursor, null);
    });

    await t.step("the default page is 50 rooms", async () => {
      for (let i = 0; i < 50; i++) {
        const id = `bulk-${String(i).padStart(2, "0")}`;
        assert.equal((await call(server, "POST", "/api/rooms", ADMIN, { id })).status, 201);
      }
      const res = await call(server, "GET", "/api/rooms", ADMIN);
      assert.equal((res.body!.rooms as unknown[]).length, 50);
      assert.equal(res.body!.next_cursor, "bulk-49");
    });

    await t.step("bad queries are 400 invalid_query", async () => {
      for (const query of ["limit=0", "limit=1001", "limit=abc", "limit=", "limit=-1", "cursor="]) {
        const res = await call(server, "GET", `/api/rooms?${query}`, ADMIN);
        assert.equal(res.status, 400, query);
        assert.equal(errorOf(res.body).code, "invalid_query");
      }
      const res = await call(server, "GET", "/api/rooms?limit=0", ADMIN);
      assert.match(errorOf(res.body).message, /^Invalid query: limit: Too small/);
      assert.equal((await call(server, "GET", "/api/rooms?limit=1000", ADMIN)).status, 200);
    });

    await t.step("401 without a token, 403 for non-admins", async () => {
      assert.equal((await call(server, "GET", "/api/rooms")).status, 401);
      const res = await call(server, "GET", "/api/rooms", ANN);
      assert.equal(res.status, 403);
      assert.equal(errorOf(res.body).code, "forbidden");
    });
    await Promise.all([ann1.close(), ann2.close(), bob.close()]);
  } finally {
    await server.close();
  }
});

Deno.test("the router answers unknown API paths with 404 JSON and wrong methods with 405 and Allow", async () => {
  const server = await startServer();
  try {
    const unknown = await call(server, "GET", "/api/nothing-here", ADMIN);
    assert.equal(unknown.status, 404);
    assert.equal(errorOf(unknown.body).code, "not_found");
    const trailing = await call(server, "GET", "/api/rooms/a/b", ADMIN);
    assert.equal(trailing.status, 404);

    const onList = await call(server, "PUT", "/api/rooms", ADMIN, {});
    assert.equal(onList.status, 405);
    assert.equal(onList.headers.get("allow"), "GET, POST");
    assert.equal(errorOf(onList.body).code, "method_not_allowed");

    const onRoom = await call(server, "POST", "/api/rooms/lobby", ADMIN, {});
    assert.equal(onRoom.status, 405);
    assert.equal(onRoom.headers.get("allow"), "GET, PATCH, DELETE");

    const onMembers = await call(server, "DELETE", "/api/rooms/lobby/members", ADMIN);
    assert.equal(onMembers.status, 405);
    assert.equal(onMembers.headers.get("allow"), "GET");
  } finally {
    await server.close();
  }
});
