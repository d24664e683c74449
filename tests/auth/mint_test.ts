import assert from "assert";
import { decodeJwt, decodeProtectedHeader } from "jose";
import { mintToken, parseTtl } from "../../src/auth/mint.ts";

const SECRET = "test-secret-0123456789abcdef";

Deno.test("parseTtl() reads seconds and s, m, h, d suffixes", () => {
  assert.equal(parseTtl(90), 90);
  assert.equal(parseTtl("90"), 90);
  assert.equal(parseTtl("45s"), 45);
  assert.equal(parseTtl("30m"), 1800);
  assert.equal(parseTtl("1h"), 3600);
  assert.equal(parseTtl("2d"), 172800);
});

Deno.test("parseTtl() refuses zero, negative, fractional and unknown lifetimes", () => {
  for (const ttl of [0, -5, 1.5, Number.NaN, "0", "0h", "-1h", "1.5h", "1w", "h", "", "1 h"]) {
    assert.equal(parseTtl(ttl), null, String(ttl));
  }
});

Deno.test("mintToken() signs HS256 with iat, exp and the given claims", async () => {
  const before = Math.floor(Date.now() / 1000);
  const token = await mintToken(SECRET, { sub: "42", name: "alice", rooms: ["a"] }, "30m");
  assert.equal(decodeProtectedHeader(token).alg, "HS256");
  const payload = decodeJwt(token);
  assert.equal(payload.sub, "42");
  assert.equal(payload.name, "alice");
  assert.deepEqual(payload.rooms, ["a"]);
  assert.equal("admin" in payload, false);
  assert.ok(typeof payload.iat === "number" && payload.iat >= before);
  assert.equal(payload.exp, payload.iat + 1800);
});

Deno.test("mintToken() refuses a bad ttl or subject", async () => {
  await assert.rejects(mintToken(SECRET, { sub: "42" }, "soon"), RangeError);
  await assert.rejects(mintToken(SECRET, { sub: "" }, "1h"), TypeError);
  await assert.rejects(mintToken(SECRET, { sub: "s".repeat(129) }, "1h"), TypeError);
  await assert.rejects(mintToken(SECRET, { sub: "42", name: "n".repeat(101) }, "1h"), TypeError);
});
