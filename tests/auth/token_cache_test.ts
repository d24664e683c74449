import assert from "assert";
import type { Principal } from "../../src/auth/principal.ts";
import { VerifiedTokenCache } from "../../src/auth/token_cache.ts";

const principal = (id: string, expiresAt: number): Principal => ({
  id,
  name: id,
  rooms: null,
  admin: false,
  expiresAt,
});

Deno.test("VerifiedTokenCache finds a token until its exp second arrives", () => {
  let now = 1_000_000_500;
  const cache = new VerifiedTokenCache({ now: () => now });
  const p = principal("a", 1_000_002_000);
  cache.set("t", p);
  now = 1_000_001_999;
  assert.equal(cache.get("t"), p);
  now = 1_000_002_000;
  assert.equal(cache.get("t"), "expired");
  assert.equal(cache.size, 0);
});

Deno.test("VerifiedTokenCache forgets an entry after its trust period", () => {
  let now = 0;
  const cache = new VerifiedTokenCache({ now: () => now, maxAgeMs: 1000 });
  cache.set("t", principal("a", 10_000_000));
  now = 999;
  assert.ok(cache.get("t") !== null);
  now = 1000;
  assert.equal(cache.get("t"), null);
});

Deno.test("VerifiedTokenCache drops its oldest entry when full", () => {
  const cache = new VerifiedTokenCache({ maxEntries: 2, now: () => 0 });
  for (const token of ["a", "b", "c"]) cache.set(token, principal(token, 10_000_000));
  assert.equal(cache.get("a"), null);
  assert.ok(cache.get("b") !== null && cache.get("c") !== null);
  assert.equal(cache.size, 2);
});

Deno.test("VerifiedTokenCache keeps nothing when its size is 0", () => {
  const cache = new VerifiedTokenCache({ maxEntries: 0 });
  cache.set("a", principal("a", Date.now() + 60_000));
  assert.equal(cache.get("a"), null);
});
