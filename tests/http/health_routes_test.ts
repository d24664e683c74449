import assert from "assert";
import { join } from "node:path";
import { startServer, upgradeHeaders } from "../_helpers/server.ts";

Deno.test("GET /healthz answers 200 while the process runs", async () => {
  const server = await startServer();
  try {
    const res = await server.request("/healthz");
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { status: "ok" });
  } finally {
    await server.close();
  }
});

Deno.test("GET /readyz turns 503 with the reason while the SQLite file is gone, and back", async (t) => {
  const server = await startServer();
  const file = join(server.dataDir, "roomd.db");
  const away = join(server.dataDir, "roomd.db.away");
  try {
    await t.step("ready while the store answers", async () => {
      const res = await server.request("/readyz");
      assert.equal(res.status, 200);
      assert.deepEqual(await res.json(), { status: "ready" });
    });
    await Deno.rename(file, away);
    await t.step("503 store unreachable once the file is renamed away", async () => {
      const res = await server.request("/readyz");
      assert.equal(res.status, 503);
      const body = await res.json();
      assert.equal(body.status, "unavailable");
      assert.match(body.reason, /^store unreachable: Cannot ping database .*roomd\.db: /);
      assert.match(body.reason, /no longer exists/);
    });
    await Deno.rename(away, file);
    await t.step("ready again once it is back", async () => {
      const res = await server.request("/readyz");
      assert.equal(res.status, 200);
      assert.deepEqual(await res.json(), { status: "ready" });
    });
  } finally {
    await server.close();
  }
});

Deno.test("GET /readyz turns 503 'server is draining' as soon as shutdown starts", async () => {
  const server = await startServer();
  try {
    const client = await server.connect("lobby", "u1");
    await client.nextOfType("system");
    const shutdown = server.roomd.shutdown();
    const ready = await server.request("/readyz");
    assert.equal(ready.status, 503);
    assert.deepEqual(await ready.json(), { status: "unavailable", reason: "server is draining" });
    const token = await server.token({ sub: "u2" });
    const join = await fetch(`${server.origin}/ws/lobby?token=${token}`, {
      headers: upgradeHeaders(server.origin),
    });
    assert.equal(join.status, 503);
    assert.equal(join.headers.get("retry-after"), "1");
    assert.equal((await join.json()).error.code, "shutting_down");
    assert.equal((await client.waitClosed()).code, 1001);
    await shutdown;
    assert.equal((await server.request("/readyz")).status, 503);
  } finally {
    await server.close();
  }
});
