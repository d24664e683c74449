import assert from "assert";
import { decodeJwt } from "jose";
import { openClient } from "../_helpers/client.ts";
import { startServer } from "../_helpers/server.ts";

const post = (origin: string | null, body: unknown) => {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (origin !== null) headers.origin = origin;
  return { method: "POST", headers, body: JSON.stringify(body) };
};

Deno.test("POST /api/dev/token does not exist unless ROOMD_DEV=true", async () => {
  const server = await startServer();
  try {
    const res = await server.request("/api/dev/token", post(server.origin, { name: "ann" }));
    assert.equal(res.status, 404);
    assert.equal((await res.json()).error.code, "not_found");
  } finally {
    await server.close();
  }
});

Deno.test("a dev token lets a page join a room as the user of its name, and is never admin", async () => {
  const server = await startServer({ ROOMD_DEV: "true" });
  try {
    const res = await server.request("/api/dev/token", post(server.origin, { name: "Ann" }));
    assert.equal(res.status, 201);
    assert.equal(res.headers.get("cache-control"), "no-store");
    const { token, exp } = await res.json();
    const now = Date.now() / 1000;
    assert.ok(exp > now + 3500 && exp <= now + 3601, `exp ${exp} is about an hour away`);
    const client = await openClient(
      `ws://127.0.0.1:${server.port}/ws/lobby?token=${token}`,
      { Origin: server.origin },
    );
    const welcome = await client.nextOfType("system");
    const me = welcome.data.members[0];
    assert.equal(me.name, "Ann");
    assert.match(me.id, /^dev-/);
    await client.close();
    const again = await server.request("/api/dev/token", post(server.origin, { name: "Ann" }));
    assert.equal(decodeJwt((await again.json()).token).sub, me.id, "a name keeps its user id");
    const bo = await server.request("/api/dev/token", post(server.origin, { name: "Bo" }));
    const { sub } = decodeJwt((await bo.json()).token);
    assert.ok(sub !== me.id && sub?.startsWith("dev-"), "another name is another user");
    const stats = await server.request("/api/stats", {
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(stats.status, 403);
    await stats.body?.cancel();
  } finally {
    await server.close();
  }
});

Deno.test("a dev token grants only the rooms asked for", async () => {
  const server = await startServer({ ROOMD_DEV: "true" });
  try {
    const res = await server.request(
      "/api/dev/token",
      post(server.origin, { name: "Bo", rooms: ["lobby"] }),
    );
    const { token } = await res.json();
    const refused = await fetch(`${server.origin}/api/rooms/elsewhere`, {
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(refused.status, 403);
    await refused.body?.cancel();
  } finally {
    await server.close();
  }
});

Deno.test("POST /api/dev/token follows the origin rule and refuses bad bodies", async () => {
  const server = await startServer({ ROOMD_DEV: "true" });
  try {
    const cases: [string | null, unknown, number, string][] = [
      [null, { name: "ann" }, 403, "origin_not_allowed"],
      ["http://evil.example", { name: "ann" }, 403, "origin_not_allowed"],
      [server.origin, { name: "" }, 400, "invalid_body"],
      [server.origin, { name: "x".repeat(41) }, 400, "invalid_body"],
      [server.origin, { name: "ann", admin: true }, 400, "invalid_body"],
    ];
    for (const [origin, body, status, code] of cases) {
      const res = await server.request("/api/dev/token", post(origin, body));
      assert.equal(res.status, status, JSON.stringify(body));
      const error = (await res.json()).error;
      assert.equal(error.code, code);
      assert.match(error.message, /^(Cannot|Invalid)/);
    }
  } finally {
    await server.close();
  }
});
