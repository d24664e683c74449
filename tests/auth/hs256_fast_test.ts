import assert from "assert";
import { base64url, SignJWT } from "jose";
import { createHmac } from "node:crypto";
import { hs256FastPath } from "../../src/auth/hs256_fast.ts";

const SECRET = "test-secret-0123456789abcdef";
const CLAIMS = { requiredClaims: ["exp", "sub"] };
const now = () => Math.floor(Date.now() / 1000);

function sign(
  claims: Record<string, unknown>,
  header: Record<string, unknown> = {},
  secret = SECRET,
): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: "HS256", ...header })
    .sign(new TextEncoder().encode(secret));
}

/** Signs any header, even one jose would not sign. */
function signRaw(header: Record<string, unknown>, claims: Record<string, unknown>): string {
  const input = `${base64url.encode(JSON.stringify(header))}.${
    base64url.encode(JSON.stringify(claims))
  }`;
  return `${input}.${createHmac("sha256", SECRET).update(input).digest("base64url")}`;
}

Deno.test("hs256FastPath() returns the claims of a valid HS256 token", async () => {
  const check = hs256FastPath(SECRET, CLAIMS);
  const exp = now() + 600;
  const claims = check(await sign({ sub: "42", name: "ann", exp }, { typ: "JWT" }));
  assert.deepEqual(claims, { sub: "42", name: "ann", exp });
});

Deno.test("hs256FastPath() leaves every doubtful token to the full check", async (t) => {
  const check = hs256FastPath(SECRET, { ...CLAIMS, issuer: "roomd" });
  const valid = { sub: "42", exp: now() + 600, iss: "roomd" };
  const cases: [string, string][] = [
    ["another secret", await sign(valid, {}, "another-secret-0123456789")],
    ["a critical header", signRaw({ alg: "HS256", crit: ["x"], x: 1 }, valid)],
    ["an unencoded payload flag", signRaw({ alg: "HS256", b64: true }, valid)],
    ["another algorithm", signRaw({ alg: "HS384" }, valid)],
    ["expired", await sign({ ...valid, exp: now() - 10 })],
    ["a missing claim", await sign({ exp: now() + 600, iss: "roomd" })],
    ["another issuer", await sign({ ...valid, iss: "other" })],
    ["not yet valid", await sign({ ...valid, nbf: now() + 60 })],
    ["a text exp", signRaw({ alg: "HS256" }, { ...valid, exp: String(now() + 60) })],
    ["a text iat", signRaw({ alg: "HS256" }, { ...valid, iat: "yesterday" })],
    ["a number sub", signRaw({ alg: "HS256" }, { ...valid, sub: 42 })],
    ["an array payload", signRaw({ alg: "HS256" }, [valid] as unknown as Record<string, unknown>)],
    ["an unsigned token", `${base64url.encode('{"alg":"none"}')}.${base64url.encode("{}")}.`],
    ["four segments", `${await sign(valid)}.x`],
    ["garbage", "not-a-token"],
  ];
  assert.ok(check(signRaw({ alg: "HS256" }, valid)) !== null);
  for (const [name, token] of cases) {
    await t.step(name, () => assert.equal(check(token), null));
  }
});

Deno.test("hs256FastPath() checks the audience and reads UTF-8 claims", async () => {
  const check = hs256FastPath(SECRET, { ...CLAIMS, audience: "chat" });
  const exp = now() + 600;
  assert.equal(check(await sign({ sub: "1", exp, aud: "mail" })), null);
  assert.equal(check(await sign({ sub: "1", exp, aud: ["mail", "chat"] }))?.sub, "1");
  assert.equal(check(await sign({ sub: "1", name: "Zoë 🎈", exp, aud: "chat" }))?.name, "Zoë 🎈");
});

Deno.test("hs256FastPath() refuses a signature that differs in its last character", async () => {
  const check = hs256FastPath(SECRET, CLAIMS);
  const token = await sign({ sub: "42", exp: now() + 600 });
  const last = token.at(-1)!;
  const altered = token.slice(0, -1) + (last === "A" ? "B" : "A");
  assert.ok(check(token) !== null);
  assert.equal(check(altered), null);
});
