import assert from "assert";
import { openClient } from "../_helpers/client.ts";
import { startServer, type TestServer, type TestUser } from "../_helpers/server.ts";

async function check(
  server: TestServer,
  room: string,
  user: TestUser | null,
  headers: Record<string, string> = { origin: server.origin },
) {
  const all = new Headers(headers);
  if (user) all.set("authorization", `Bearer ${await server.token(user)}`);
  const res = await fetch(`${server.origin}/api/connect/${room}`, { headers: all });
  const body = res.status === 204 ? null : await res.json();
  return { status: res.status, body, headers: res.headers };
}

Deno.test("GET /api/connect/:room_id answers 204 when an upgrade would be accepted, with or without Origin", async () => {
  const server = await startServer();
  try {
    assert.equal((await check(server, "lobby", { sub: "1" })).status, 204);
    assert.equal((await check(server, "lobby", { sub: "1" }, {})).status, 204);
  } finally {
    await server.close();
  }
});

Deno.test("GET /api/connect/:room_id refuses as the upgrade would: 401, 403, 400, 409", async (t) => {
  const server = await startServer();
  try {
    await t.step("no or a bad token → 401 unauthorized", async () => {
      const r = await check(server, "lobby", null);
      assert.equal(r.status, 401);
      assert.equal(r.body.error.code, "unauthorized");
    });
    await t.step("a foreign Origin → 403 origin_not_allowed", async () => {
      const r = await check(server, "lobby", { sub: "1" }, { origin: "http://evil.example" });
      assert.equal(r.status, 403);
      assert.equal(r.body.error.code, "origin_not_allowed");
    });
    await t.step("a room outside the rooms claim → 403 forbidden", async () => {
      const r = await check(server, "lobby", { sub: "1", rooms: ["other"] });
      assert.equal(r.status, 403);
      assert.equal(r.body.error.code, "forbidden");
    });
    await t.step("a private room the user is not a member of → 403 forbidden", async () => {
      const created = await server.request("/api/rooms", {
        method: "POST",
        user: { sub: "admin", admin: true },
        body: JSON.stringify({ id: "secret", is_private: true, members: ["2"] }),
      });
      assert.equal(created.status, 201);
      const r = await check(server, "secret", { sub: "1" });
      assert.equal(r.status, 403);
      assert.equal(r.body.error.code, "forbidden");
      assert.equal((await check(server, "secret", { sub: "2" })).status, 204);
    });
    await t.step("a bad room id → 400 invalid_room", async () => {
      const r = await check(server, "bad%20id", { sub: "1" });
      assert.equal(r.status, 400);
      assert.equal(r.body.error.code, "invalid_room");
    });
    await t.step("a full room → 409 room_full", async () => {
      const created = await server.request("/api/rooms", {
        method: "POST",
        user: { sub: "admin", admin: true },
        body: JSON.stringify({ id: "tiny", max_clients: 1 }),
      });
      assert.equal(created.status, 201);
      const first = await server.connect("tiny", "2");
      await first.nextOfType("system");
      const r = await check(server, "tiny", { sub: "1" });
      assert.equal(r.status, 409);
      assert.equal(r.body.error.code, "room_full");
      await first.close();
    });
  } finally {
    await server.close();
  }
});

Deno.test("GET /api/connect/:room_id answers 429 with Retry-After when joins are rate limited, and takes no attempt itself", async () => {
  const server = await startServer({ ROOMD_JOIN_RATE: "2" });
  try {
    for (let i = 0; i < 5; i++) {
      assert.equal((await check(server, "lobby", { sub: "1" })).status, 204, `check ${i}`);
    }
    const url = async () =>
      `ws://127.0.0.1:${server.port}/ws/lobby?token=${await server.token({ sub: "1" })}`;
    const a = await openClient(await url(), { Origin: server.origin });
    const b = await openClient(await url(), { Origin: server.origin });
    const r = await check(server, "lobby", { sub: "1" });
    assert.equal(r.status, 429);
    assert.equal(r.body.error.code, "rate_limited");
    assert.ok(Number(r.headers.get("retry-after")) >= 1);
    await a.close();
    await b.close();
  } finally {
    await server.close();
  }
});

Deno.test("GET /api/connect/:room_id answers 429 too_many_connections at the per-user limit", async () => {
  const server = await startServer({ ROOMD_MAX_CONNECTIONS_PER_USER: "1" });
  try {
    const first = await server.connect("lobby", "1");
    const r = await check(server, "lobby", { sub: "1" });
    assert.equal(r.status, 429);
    assert.equal(r.body.error.code, "too_many_connections");
    assert.equal((await check(server, "lobby", { sub: "2" })).status, 204);
    await first.close();
  } finally {
    await server.close();
  }
});

Deno.test("GET /api/connect/:room_id answers 503 shutting_down while the server drains", async () => {
  const server = await startServer();
  try {
    const shutdown = server.roomd.shutdown();
    const r = await check(server, "lobby", { sub: "1" });
    assert.equal(r.status, 503);
    assert.equal(r.body.error.code, "shutting_down");
    await shutdown;
  } finally {
    await server.close();
  }
});

Deno.test("GET /api/connect/:room_id does not create the room it checks", async () => {
  const server = await startServer();
  try {
    assert.equal((await check(server, "never-joined", { sub: "1" })).status, 204);
    assert.equal(await server.store.getRoom("never-joined"), null);
  } finally {
    await server.close();
  }
});
