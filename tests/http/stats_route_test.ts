import assert from "assert";
import { startServer } from "../_helpers/server.ts";

Deno.test("GET /api/stats is for admins: 401 without a valid token, 403 for users", async (t) => {
  const server = await startServer();
  try {
    await t.step("no token → 401 with a Bearer challenge", async () => {
      const res = await server.request("/api/stats");
      assert.equal(res.status, 401);
      assert.equal((await res.json()).error.code, "unauthorized");
      assert.match(res.headers.get("www-authenticate") ?? "", /^Bearer/);
    });
    await t.step("a token that does not verify → 401", async () => {
      const res = await server.request("/api/stats", {
        headers: { authorization: "Bearer not.a.token" },
      });
      assert.equal(res.status, 401);
      assert.equal((await res.json()).error.code, "unauthorized");
    });
    await t.step("a valid non-admin token → 403", async () => {
      const res = await server.request("/api/stats", { user: { sub: "u1" } });
      assert.equal(res.status, 403);
      assert.equal((await res.json()).error.code, "forbidden");
    });
    await t.step("an admin token → 200 JSON", async () => {
      const res = await server.request("/api/stats", { user: { sub: "root", admin: true } });
      assert.equal(res.status, 200);
      assert.match(res.headers.get("content-type") ?? "", /^application\/json/);
      assert.equal(res.headers.get("cache-control"), "no-store");
      assert.equal((await res.json()).connections, 0);
    });
  } finally {
    await server.close();
  }
});

Deno.test("GET /api/stats reports figures, rates and the busiest rooms of a session", async () => {
  const server = await startServer();
  try {
    const alice = await server.connect("busy", "alice");
    const bob = await server.connect("busy", "bob");
    const carol = await server.connect("quiet", "carol");
    for (const client of [alice, bob, carol]) await client.nextOfType("system");
    for (let i = 0; i < 3; i++) alice.send({ type: "chat", data: { text: `hi ${i}` } });
    carol.send({ type: "chat", data: { text: "anyone?" } });
    carol.send("{not json");
    for (let i = 0; i < 3; i++) await bob.nextOfType("chat");
    await carol.nextOfType("error");

    const res = await server.request("/api/stats", { user: { sub: "root", admin: true } });
    assert.equal(res.status, 200);
    const stats = await res.json();
    assert.equal(stats.connections, 3);
    assert.equal(stats.rooms, 2);
    assert.equal(stats.messages_received, 4);
    assert.equal(stats.errors, 1);
    assert.equal(stats.rate_limited, 0);
    assert.equal(stats.slow_consumer_disconnects, 0);
    assert.deepEqual(stats.busiest_rooms.map((room: { id: string }) => room.id), [
      "busy",
      "quiet",
    ]);
    const [busy, quiet] = stats.busiest_rooms;
    // Both rates share one window, so they keep the 3 : 1 ratio of the messages sent.
    assert.ok(Math.abs(busy.messages_per_s - 3 * quiet.messages_per_s) <= 0.002);
    assert.ok(quiet.messages_per_s > 0);
    for (const window of ["1m", "5m"]) {
      assert.ok(stats.rates.messages_per_s[window] > 0, window);
      assert.ok(stats.rates.errors_per_s[window] > 0, window);
      assert.ok(stats.rates.messages_per_s[window] > stats.rates.errors_per_s[window]);
    }
    assert.ok(stats.uptime_s >= 0);
    assert.ok(stats.memory.rss_bytes > 0 && stats.memory.heap_used_bytes > 0);
    await Promise.all([alice, bob, carol].map((client) => client.close()));
  } finally {
    await server.close();
  }
});
