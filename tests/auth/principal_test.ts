import assert from "assert";
import fc from "fast-check";
import { principalFromClaims, tokenClaimsSchema } from "../../src/auth/principal.ts";

const EXP = 2_000_000_000;

Deno.test("principalFromClaims() builds a frozen principal from full claims", () => {
  const result = principalFromClaims({
    sub: "42",
    exp: EXP,
    name: "alice",
    rooms: ["lobby"],
    admin: true,
    iat: 1,
  });
  assert.ok(result.ok);
  assert.deepEqual(result.principal, {
    id: "42",
    name: "alice",
    rooms: ["lobby"],
    admin: true,
    expiresAt: EXP * 1000,
  });
  assert.ok(Object.isFrozen(result.principal));
  assert.ok(Object.isFrozen(result.principal.rooms));
});

Deno.test("principalFromClaims() defaults the name to the id, rooms to any, admin to false", () => {
  const result = principalFromClaims({ sub: "42", exp: EXP, name: "" });
  assert.ok(result.ok);
  assert.equal(result.principal.name, "42");
  assert.equal(result.principal.rooms, null);
  assert.equal(result.principal.admin, false);
});

Deno.test("principalFromClaims() names the first bad or missing claim", () => {
  const cases: [Record<string, unknown>, string][] = [
    [{ sub: "42", exp: EXP, admin: "yes" }, 'invalid "admin" claim'],
    [{ sub: "42", exp: EXP, rooms: "lobby" }, 'invalid "rooms" claim'],
    [{ sub: "42", exp: EXP, rooms: ["a", 1] }, 'invalid "rooms" claim'],
    [{ sub: "42", exp: EXP, name: "n".repeat(101) }, 'invalid "name" claim'],
    [{ sub: "", exp: EXP }, 'invalid "sub" claim'],
    [{ sub: "s".repeat(129), exp: EXP }, 'invalid "sub" claim'],
    [{ sub: 42, exp: EXP }, 'invalid "sub" claim'],
    [{ exp: EXP }, 'missing "sub" claim'],
    [{ sub: "42" }, 'missing "exp" claim'],
  ];
  for (const [claims, reason] of cases) {
    assert.deepEqual(principalFromClaims(claims), { ok: false, reason }, JSON.stringify(claims));
  }
  assert.deepEqual(principalFromClaims("not an object"), { ok: false, reason: "invalid claims" });
});

Deno.test("principalFromClaims() accepts exactly the claims its schema accepts", () => {
  const text = fc.oneof(fc.string({ maxLength: 3 }), fc.string({ minLength: 99, maxLength: 130 }));
  const value = fc.oneof(
    text,
    fc.constantFrom(0, 1.5, EXP, Infinity, NaN, true, false, null, undefined),
    fc.array(fc.oneof(text, fc.integer()), { maxLength: 3 }),
  );
  const claims = fc.record(
    { sub: value, exp: value, name: value, rooms: value, admin: value },
    { requiredKeys: [] },
  );
  fc.assert(
    fc.property(fc.oneof(claims, value), (c) => {
      const result = principalFromClaims(c);
      const parsed = tokenClaimsSchema.safeParse(c);
      assert.equal(result.ok, parsed.success);
      if (result.ok && parsed.success) assert.equal(result.principal.id, parsed.data.sub);
    }),
    { numRuns: 2000 },
  );
});
