import assert from "assert";
import { SignJWT } from "jose";
import { mintToken } from "../../src/auth/mint.ts";
import { openClient } from "../_helpers/client.ts";
import { startServer, TEST_SECRET, type TestServer, upgradeHeaders } from "../_helpers/server.ts";

async function refusal(server: TestServer, path: string, headers: Record<string, string>) {
  const res = await fetch(`${server.origin}${path}`, { headers });
  return { status: res.status, body: await res.json(), headers: res.headers };
}

Deno.test("GET /ws/:room_id refuses before upgrading, with status and JSON code", async (t) => {
  const server = await startServer();
  const token = await server.token({ sub: "1", rooms: ["allowed", "team:*"] });
  const ok = upgradeHeaders(server.origin);
  try {
    await t.step("a room id outside the allowed shape → 400 invalid_room", async () => {
      for (const bad of ["bad%20id", "a".repeat(65), "%E0%A4%A"]) {
        const r = await refusal(server, `/ws/${bad}?token=${token}`, ok);
        assert.equal(r.status, 400);
        assert.equal(r.body.error.code, "invalid_room");
      }
    });
    await t.step("a missing or foreign Origin → 403 origin_not_allowed", async () => {
      const missing = await refusal(server, `/ws/allowed?token=${token}`, upgradeHeaders(null));
      assert.equal(missing.status, 403);
      assert.equal(missing.body.error.code, "origin_not_allowed");
      const foreign = await refusal(
        server,
        `/ws/allowed?token=${token}`,
        upgradeHeaders("http://evil.example"),
      );
      assert.equal(foreign.status, 403);
      assert.equal(foreign.body.error.code, "origin_not_allowed");
    });
    await t.step("a missing, invalid or expired token → 401 unauthorized", async () => {
      const expired = await new SignJWT({ sub: "1" }).setProtectedHeader({ alg: "HS256" })
        .setExpirationTime(Math.floor(Date.now() / 1000) - 60)
        .sign(new TextEncoder().encode(TEST_SECRET));
      const forged = await mintToken("another-secret-0123456789", { sub: "1" }, "1h");
      for (const query of ["", "?token=garbage", `?token=${expired}`, `?token=${forged}`]) {
        const r = await refusal(server, `/ws/allowed${query}`, ok);
        assert.equal(r.status, 401, query);
        assert.equal(r.body.error.code, "unauthorized");
      }
      const r = await refusal(server, `/ws/allowed?token=${expired}`, ok);
      assert.match(r.body.error.message, /expired/);
    });
    await t.step("a room outside the token's rooms claim → 403 forbidden", async () => {
      const r = await refusal(server, `/ws/other?token=${token}`, ok);
      assert.equal(r.status, 403);
      assert.equal(r.body.error.code, "forbidden");
    });
    await t.step(
      "a token in the Authorization header is accepted, and a plain GET gets 426",
      async () => {
        const r = await refusal(server, "/ws/team:red", {
          origin: server.origin,
          authorization: `Bearer ${token}`,
        });
        assert.equal(r.status, 426);
        assert.equal(r.body.error.code, "upgrade_required");
      },
    );
    await t.step("a Bearer token lets a non-browser client connect without an Origin", async () => {
      const client = await openClient(`ws://127.0.0.1:${server.port}/ws/team:red`, {
        Authorization: `Bearer ${token}`,
      });
      assert.equal((await client.nextOfType("system")).data.event, "welcome");
      await client.close();
    });
  } finally {
    await server.close();
  }
});

Deno.test("bad frames get an error and the connection lives on", async () => {
  const server = await startServer();
  try {
    const alice = await server.connect("lobby", "alice");
    await alice.nextOfType("system");
    const cases: [unknown, string][] = [
      ["not json", "invalid_message"],
      [{ type: "dance", data: {} }, "unknown_type"],
      [{ type: "system", data: {} }, "unknown_type"],
      [{ type: "chat", data: { txt: "x" } }, "invalid_message"],
      [{ type: "chat", data: { text: "" } }, "invalid_message"],
      [{ type: "chat", data: { text: "a\u0007b" } }, "invalid_message"],
      [{ type: "chat", data: { text: "x".repeat(4001) } }, "invalid_message"],
      [[1, 2], "invalid_message"],
    ];
    for (const [frame, code] of cases) {
      alice.send(frame);
      const error = await alice.nextOfType("error");
      assert.equal(error.data.code, code, JSON.stringify(frame));
      assert.equal(typeof error.data.message, "string");
    }
    alice.send({ type: "chat", data: { text: "" }, ref: "r9" });
    const withRef = await alice.nextOfType("error");
    assert.equal(withRef.ref, "r9");
    assert.match(withRef.data.message, /data\.text/);
    alice.send({ type: "chat", data: { text: "still alive" }, ref: "ok" });
    assert.equal((await alice.nextOfType("ack")).ref, "ok");
    await alice.close();
  } finally {
    await server.close();
  }
});

Deno.test("a frame over ROOMD_MAX_MESSAGE_BYTES closes the connection with 1009", async () => {
  const server = await startServer({ ROOMD_MAX_MESSAGE_BYTES: "1024" });
  try {
    const alice = await server.connect("lobby", "alice");
    await alice.nextOfType("system");
    alice.send({ type: "chat", data: { text: "é".repeat(600) } });
    assert.equal((await alice.waitClosed()).code, 1009);
  } finally {
    await server.close();
  }
});

Deno.test("a token that expires while connected closes the connection with 4401", async () => {
  const server = await startServer();
  try {
    const token = await server.token({ sub: "1" }, 2);
    const client = await openClient(`ws://127.0.0.1:${server.port}/ws/lobby?token=${token}`, {
      Origin: server.origin,
    });
    await client.nextOfType("system");
    const closed = await client.waitClosed(5000);
    assert.equal(closed.code, 4401);
  } finally {
    await server.close();
  }
});

Deno.test("shutdown closes clients with 1001 and refuses new connections", async () => {
  const server = await startServer();
  const alice = await server.connect("lobby", "alice");
  const bob = await server.connect("other", "bob");
  await alice.nextOfType("system");
  await bob.nextOfType("system");
  await server.close();
  assert.equal((await alice.waitClosed()).code, 1001);
  assert.equal((await bob.waitClosed()).code, 1001);
});
