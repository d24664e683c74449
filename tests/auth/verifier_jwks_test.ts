import assert from "assert";
import { exportJWK, generateKeyPair, SignJWT } from "jose";
import { createTokenVerifier } from "../../src/auth/verifier.ts";

const now = () => Math.floor(Date.now() / 1000);

async function sign(alg: string, kid: string, key: CryptoKey | Uint8Array): Promise<string> {
  return await new SignJWT({ sub: "42", name: "alice", exp: now() + 600 })
    .setProtectedHeader({ alg, kid })
    .sign(key);
}

Deno.test("TokenVerifier.verify() checks ES256 tokens against a remote key set", async (t) => {
  const { publicKey, privateKey } = await generateKeyPair("ES256", { extractable: true });
  const jwks = { keys: [{ ...(await exportJWK(publicKey)), kid: "k1", alg: "ES256", use: "sig" }] };
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    (request) =>
      new URL(request.url).pathname === "/jwks.json"
        ? Response.json(jwks)
        : new Response("unavailable", { status: 503 }),
  );
  const base = `http://127.0.0.1:${server.addr.port}`;
  try {
    const verifier = await createTokenVerifier({ jwksUrl: `${base}/jwks.json` });

    await t.step("a token signed by the published key", async () => {
      const result = await verifier.verify(await sign("ES256", "k1", privateKey));
      assert.ok(result.ok);
      assert.equal(result.principal.name, "alice");
    });
    await t.step("a token signed by another key under the same kid", async () => {
      const other = await generateKeyPair("ES256");
      const result = await verifier.verify(await sign("ES256", "k1", other.privateKey));
      assert.deepEqual(result, { ok: false, reason: "invalid signature", expired: false });
    });
    await t.step("a token whose kid is not published", async () => {
      const other = await generateKeyPair("ES256");
      const result = await verifier.verify(await sign("ES256", "k9", other.privateKey));
      assert.deepEqual(result, { ok: false, reason: "no matching key", expired: false });
    });
    await t.step("an HS256 token keyed with the published JWK", async () => {
      const secret = new TextEncoder().encode(JSON.stringify(jwks.keys[0]));
      const result = await verifier.verify(await sign("HS256", "k1", secret));
      assert.deepEqual(result, { ok: false, reason: "algorithm not allowed", expired: false });
    });
    await t.step("an algorithm outside the pinned list", async () => {
      const pinned = await createTokenVerifier({
        jwksUrl: `${base}/jwks.json`,
        algorithms: ["RS256"],
      });
      const result = await pinned.verify(await sign("ES256", "k1", privateKey));
      assert.deepEqual(result, { ok: false, reason: "algorithm not allowed", expired: false });
    });
    await t.step("a key set that cannot be fetched", async () => {
      const broken = await createTokenVerifier({ jwksUrl: `${base}/missing.json` });
      const result = await broken.verify(await sign("ES256", "k1", privateKey));
      assert.deepEqual(result, {
        ok: false,
        reason: "key set unavailable",
        expired: false,
        unavailable: true,
      });
    });
  } finally {
    await server.shutdown();
  }
});
