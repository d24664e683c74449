import assert from "assert";
import { base64url, SignJWT } from "jose";
import { createTokenVerifier, type VerifyResult } from "../../src/auth/verifier.ts";
import { mintToken } from "../../src/auth/mint.ts";
import { fakeDate } from "../_helpers/fake_date.ts";

const SECRET = "test-secret-0123456789abcdef";
const now = () => Math.floor(Date.now() / 1000);

async function signHs256(
  claims: Record<string, unknown>,
  secret = SECRET,
  header: Record<string, unknown> = {},
): Promise<string> {
  return await new SignJWT(claims)
    .setProtectedHeader({ ...header, alg: "HS256" })
    .sign(new TextEncoder().encode(secret));
}

function unsecured(claims: Record<string, unknown>): string {
  const part = (value: unknown) => base64url.encode(JSON.stringify(value));
  return `${part({ alg: "none", typ: "JWT" })}.${part(claims)}.`;
}

function assertRefused(result: VerifyResult, reason: string, token: string): void {
  assert.deepEqual(result, { ok: false, reason, expired: reason === "token expired" });
  assert.ok(!reason.includes(token));
}

Deno.test("TokenVerifier.verify() accepts an HS256 token and returns its principal", async () => {
  const verifier = await createTokenVerifier({ secret: SECRET });
  const exp = now() + 600;
  const token = await signHs256({ sub: "42", name: "alice", admin: true, rooms: ["a:*"], exp });
  const result = await verifier.verify(token);
  assert.ok(result.ok);
  assert.deepEqual(result.principal, {
    id: "42",
    name: "alice",
    rooms: ["a:*"],
    admin: true,
    expiresAt: exp * 1000,
  });
});

Deno.test("TokenVerifier.verify() accepts tokens from mintToken() with the same secret", async () => {
  const verifier = await createTokenVerifier({ secret: SECRET, algorithms: ["HS256"] });
  const result = await verifier.verify(await mintToken(SECRET, { sub: "7" }, "1h"));
  assert.ok(result.ok);
  assert.equal(result.principal.name, "7");
  assert.equal(result.principal.rooms, null);
});

Deno.test("TokenVerifier.verify() refuses time-invalid tokens, flagging expiry", async (t) => {
  const verifier = await createTokenVerifier({ secret: SECRET });
  await t.step("expired", async () => {
    const token = await signHs256({ sub: "42", exp: now() - 60 });
    assertRefused(await verifier.verify(token), "token expired", token);
  });
  await t.step("nbf in the future", async () => {
    const token = await signHs256({ sub: "42", exp: now() + 7200, nbf: now() + 3600 });
    assertRefused(await verifier.verify(token), "token not yet valid", token);
  });
  await t.step("nbf in the past is fine", async () => {
    const token = await signHs256({ sub: "42", exp: now() + 7200, nbf: now() - 60 });
    assert.ok((await verifier.verify(token)).ok);
  });
  await t.step("no exp", async () => {
    const token = await signHs256({ sub: "42" });
    assertRefused(await verifier.verify(token), 'missing "exp" claim', token);
  });
  await t.step("exp that is not a number", async () => {
    const token = await signHs256({ sub: "42", exp: "tomorrow" });
    assertRefused(await verifier.verify(token), 'invalid "exp" claim', token);
  });
});

Deno.test("TokenVerifier.verify() refuses a token signed with another secret", async () => {
  const verifier = await createTokenVerifier({ secret: SECRET });
  const token = await signHs256({ sub: "42", exp: now() + 600 }, "another-secret-0123456789");
  assertRefused(await verifier.verify(token), "invalid signature", token);
});

Deno.test("TokenVerifier.verify() refuses an unsigned alg none token", async () => {
  const verifier = await createTokenVerifier({ secret: SECRET });
  const token = unsecured({ sub: "42", exp: now() + 600 });
  assertRefused(await verifier.verify(token), "algorithm not allowed", token);
});

Deno.test("TokenVerifier.verify() refuses a tampered payload", async () => {
  const verifier = await createTokenVerifier({ secret: SECRET });
  const [header, , signature] = (await signHs256({ sub: "42", exp: now() + 600 })).split(".");
  const forged = base64url.encode(JSON.stringify({ sub: "1", admin: true, exp: now() + 600 }));
  const token = `${header}.${forged}.${signature}`;
  assertRefused(await verifier.verify(token), "invalid signature", token);
});

Deno.test("TokenVerifier.verify() checks issuer and audience when configured", async (t) => {
  const verifier = await createTokenVerifier({
    secret: SECRET,
    issuer: "https://auth.example",
    audience: "roomd",
  });
  const base = { sub: "42", exp: now() + 600 };
  await t.step("both match", async () => {
    const token = await signHs256({ ...base, iss: "https://auth.example", aud: ["x", "roomd"] });
    assert.ok((await verifier.verify(token)).ok);
  });
  await t.step("issuer mismatch", async () => {
    const token = await signHs256({ ...base, iss: "https://evil.example", aud: "roomd" });
    assertRefused(await verifier.verify(token), "issuer mismatch", token);
  });
  await t.step("audience mismatch", async () => {
    const token = await signHs256({ ...base, iss: "https://auth.example", aud: "other" });
    assertRefused(await verifier.verify(token), "audience mismatch", token);
  });
  await t.step("issuer missing", async () => {
    const token = await signHs256({ ...base, aud: "roomd" });
    assertRefused(await verifier.verify(token), 'missing "iss" claim', token);
  });
});

Deno.test("TokenVerifier.verify() refuses tokens over 8 KiB before parsing them", async () => {
  const verifier = await createTokenVerifier({ secret: SECRET });
  const garbage = "a".repeat(8193);
  assertRefused(await verifier.verify(garbage), "token too large", garbage);
  const big = await signHs256({ sub: "42", exp: now() + 600, pad: "x".repeat(7000) });
  assert.ok(big.length > 8192);
  assertRefused(await verifier.verify(big), "token too large", big);
  const fits = await signHs256({ sub: "42", exp: now() + 600, pad: "x".repeat(6000) });
  assert.ok(fits.length > 8100 && fits.length <= 8192, `length ${fits.length}`);
  assert.ok((await verifier.verify(fits)).ok);
});

Deno.test("TokenVerifier.verify() refuses claims of the wrong shape", async () => {
  const verifier = await createTokenVerifier({ secret: SECRET });
  const exp = now() + 600;
  const cases: [Record<string, unknown>, string][] = [
    [{ sub: "42", exp, admin: "yes" }, 'invalid "admin" claim'],
    [{ sub: "42", exp, rooms: "lobby" }, 'invalid "rooms" claim'],
    [{ sub: "42", exp, name: "n".repeat(101) }, 'invalid "name" claim'],
    [{ sub: "", exp }, 'invalid "sub" claim'],
    [{ sub: "s".repeat(129), exp }, 'invalid "sub" claim'],
    [{ exp }, 'missing "sub" claim'],
  ];
  for (const [claims, reason] of cases) {
    const token = await signHs256(claims);
    assertRefused(await verifier.verify(token), reason, token);
  }
});

Deno.test("TokenVerifier.verify() refuses malformed input without throwing", async () => {
  const verifier = await createTokenVerifier({ secret: SECRET });
  for (const token of ["", "abc", "a.b.c", "a.b", "...", "e30.e30.", "ü.ü.ü"]) {
    const result = await verifier.verify(token);
    assert.equal(result.ok, false, token);
  }
  const notJson = `${base64url.encode('{"alg":"HS256"}')}.${base64url.encode("[1]")}.x`;
  assert.equal((await verifier.verify(notJson)).ok, false);
});

Deno.test("createTokenVerifier() rejects contradictory options", async (t) => {
  const cases: [string, Parameters<typeof createTokenVerifier>[0]][] = [
    ["no key source", {}],
    ["two key sources", { secret: SECRET, jwksUrl: "https://auth.example/jwks.json" }],
    ["a secret with an asymmetric algorithm", { secret: SECRET, algorithms: ["RS256"] }],
    ["an empty secret", { secret: "" }],
    ["alg none for a key set", { jwksUrl: "https://a.example/jwks", algorithms: ["none"] }],
    ["HS256 for a key set", { jwksUrl: "https://a.example/jwks", algorithms: ["HS256"] }],
    ["an empty algorithm list", { jwksUrl: "https://a.example/jwks", algorithms: [] }],
    ["a key set URL that is not a URL", { jwksUrl: "not a url" }],
    ["a public key that is neither PEM nor JWK", { publicKey: "ssh-ed25519 AAAA" }],
    ["a symmetric JWK", { publicKey: '{"kty":"oct","k":"c2VjcmV0"}' }],
  ];
  for (const [name, options] of cases) {
    await t.step(name, async () => {
      await assert.rejects(createTokenVerifier(options), TypeError);
    });
  }
});

Deno.test("TokenVerifier.verify() verifies a plain HS256 token again rather than caching it", async () => {
  const verifier = await createTokenVerifier({ secret: SECRET });
  const token = await signHs256({ sub: "42", exp: now() + 600 });
  const first = await verifier.verify(token);
  const again = await verifier.verify(token);
  assert.ok(first.ok && again.ok);
  assert.ok(again.principal !== first.principal);
  assert.deepEqual(again.principal, first.principal);
});

Deno.test("TokenVerifier.verify() refuses a token verified before once it has expired", async () => {
  const clock = fakeDate();
  try {
    const verifier = await createTokenVerifier({ secret: SECRET });
    const token = await signHs256({ sub: "42", exp: now() + 60 });
    assert.ok((await verifier.verify(token)).ok);
    clock.tick(60_000);
    assertRefused(await verifier.verify(token), "token expired", token);
  } finally {
    clock.uninstall();
  }
});

Deno.test("TokenVerifier.verify() does not cache refusals", async () => {
  const clock = fakeDate();
  try {
    const verifier = await createTokenVerifier({ secret: SECRET });
    const token = await signHs256({ sub: "42", exp: now() + 7200, nbf: now() + 60 });
    assertRefused(await verifier.verify(token), "token not yet valid", token);
    clock.tick(60_000);
    assert.ok((await verifier.verify(token)).ok);
  } finally {
    clock.uninstall();
  }
});
