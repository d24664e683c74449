import assert from "assert";
import { exportJWK, generateKeyPair, SignJWT } from "jose";
import { startServer } from "../_helpers/server.ts";

/** A key set server that can be switched off (answering 503) and on again. */
async function startKeySet() {
  const { publicKey, privateKey } = await generateKeyPair("ES256", { extractable: true });
  const jwks = { keys: [{ ...(await exportJWK(publicKey)), kid: "k1", alg: "ES256" }] };
  const state = { up: false };
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    () => state.up ? Response.json(jwks) : new Response("down", { status: 503 }),
  );
  const sign = (sub: string, admin = false) =>
    new SignJWT({ sub, admin }).setProtectedHeader({ alg: "ES256", kid: "k1" })
      .setExpirationTime("1h").sign(privateKey);
  return { url: `http://127.0.0.1:${server.addr.port}/jwks.json`, state, sign, server };
}

Deno.test("an unreachable key set answers 503 unavailable, reports not ready, and recovers", async (t) => {
  const keySet = await startKeySet();
  const server = await startServer({ ROOMD_JWT_SECRET: "", ROOMD_JWKS_URL: keySet.url });
  try {
    const token = await keySet.sign("ann");
    const admin = await keySet.sign("root", true);
    await t.step(
      "a connection gets 503 unavailable with Retry-After, logged as a warning",
      async () => {
        const res = await fetch(`${server.origin}/ws/lobby`, {
          headers: { authorization: `Bearer ${token}`, upgrade: "websocket" },
        });
        assert.equal(res.status, 503);
        assert.equal((await res.json()).error.code, "unavailable");
        assert.ok(Number(res.headers.get("retry-after")) > 0);
        const line = server.logs.map((l) => JSON.parse(l)).find((l) =>
          String(l.message).includes("key set unavailable")
        );
        assert.equal(line?.level, "WARN");
      },
    );
    await t.step("an API request gets 503 unavailable", async () => {
      const res = await fetch(`${server.origin}/api/rooms`, {
        headers: { authorization: `Bearer ${admin}` },
      });
      assert.equal(res.status, 503);
      assert.equal((await res.json()).error.code, "unavailable");
    });
    await t.step("/readyz is 503 while no key set is available", async () => {
      const res = await fetch(`${server.origin}/readyz`);
      assert.equal(res.status, 503);
      assert.deepEqual(await res.json(), { status: "unavailable", reason: "key set unavailable" });
    });
    keySet.state.up = true;
    await t.step(
      "/readyz turns ready once the key set can be fetched, without other traffic",
      async () => {
        const res = await fetch(`${server.origin}/readyz`);
        assert.equal(res.status, 200);
        await res.body?.cancel();
      },
    );
    await t.step("and tokens are accepted again", async () => {
      const res = await fetch(`${server.origin}/api/rooms`, {
        headers: { authorization: `Bearer ${admin}` },
      });
      assert.equal(res.status, 200);
      await res.body?.cancel();
    });
  } finally {
    await server.close();
    await keySet.server.shutdown();
  }
});
