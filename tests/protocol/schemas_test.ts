import assert from "assert";
import { buildTypeRegistry, builtinTypes, parseInbound } from "../../src/protocol/schemas.ts";

const types = buildTypeRegistry({
  typing: {
    schema: {
      type: "object",
      properties: { on: { type: "boolean" } },
      required: ["on"],
      additionalProperties: false,
    },
    max_bytes: 32,
    persist: false,
  },
  reaction: {
    schema: { type: "object", properties: { emoji: { type: "string" } } },
    max_bytes: 64,
    persist: true,
  },
});

Deno.test("parseInbound() keeps a cid of 1 to 64 characters and refuses others", () => {
  const parse = (cid: unknown) =>
    parseInbound({ type: "chat", data: { text: "hi" }, cid }, builtinTypes());
  const r = parse("m-1");
  assert.ok(r.ok && r.message.kind === "publish");
  assert.equal(r.message.cid, "m-1");
  assert.ok(parse("x".repeat(64)).ok);
  for (const bad of ["", "x".repeat(65), 7, null]) {
    const refused = parse(bad);
    assert.ok(
      !refused.ok && refused.error.code === "invalid_message",
      `cid ${JSON.stringify(bad)}`,
    );
    assert.match(refused.error.message, /cid/);
  }
});

Deno.test("parseInbound() accepts a chat message, trims its text and keeps the ref", () => {
  const r = parseInbound(
    { type: "chat", data: { text: "  hello\n\tthere  " }, ref: "c1" },
    builtinTypes(),
  );
  assert.ok(r.ok && r.message.kind === "publish");
  assert.deepEqual(r.message, {
    kind: "publish",
    type: "chat",
    data: { text: "hello\n\tthere" },
    ref: "c1",
    persist: true,
  });
});

Deno.test("parseInbound() refuses chat text that is empty, too long or holds control characters", async (t) => {
  const cases: [string, unknown, RegExp][] = [
    ["blank", { text: "   " }, /data\.text/],
    ["4001 characters", { text: "x".repeat(4001) }, /data\.text/],
    ["a bell character", { text: "ding\u0007" }, /control characters/],
    ["a missing text", {}, /data\.text/],
    ["an extra field", { text: "hi", color: "red" }, /data/],
    ["a number", { text: 5 }, /data\.text/],
  ];
  for (const [name, data, message] of cases) {
    await t.step(name, () => {
      const r = parseInbound({ type: "chat", data, ref: "x" }, builtinTypes());
      assert.ok(!r.ok);
      assert.equal(r.error.code, "invalid_message");
      assert.match(r.error.message, message);
      assert.equal(r.ref, "x");
    });
  }
  const exactly = parseInbound({ type: "chat", data: { text: "x".repeat(4000) } }, builtinTypes());
  assert.ok(exactly.ok);
});

Deno.test("parseInbound() names the field path of a wrong outer shape", () => {
  const r = parseInbound({ type: 7 }, builtinTypes());
  assert.ok(!r.ok);
  assert.match(r.error.message, /type/);
  const extra = parseInbound({ type: "chat", data: { text: "a" }, nope: 1 }, builtinTypes());
  assert.ok(!extra.ok);
  const longRef = parseInbound(
    { type: "chat", data: { text: "a" }, ref: "r".repeat(65) },
    builtinTypes(),
  );
  assert.ok(!longRef.ok);
  assert.match(longRef.error.message, /ref/);
});

Deno.test("parseInbound() refuses server-only and undeclared types with unknown_type", () => {
  for (const type of ["system", "presence", "ack", "error", "dance"]) {
    const r = parseInbound({ type, data: {} }, types);
    assert.ok(!r.ok);
    assert.equal(r.error.code, "unknown_type", type);
  }
});

Deno.test("parseInbound() checks history requests: limit 1–200, defaults to 50", () => {
  const plain = parseInbound({ type: "history" }, builtinTypes());
  assert.ok(plain.ok && plain.message.kind === "history");
  assert.deepEqual(plain.message.query, { limit: 50 });
  const paged = parseInbound({ type: "history", data: { before: 10, limit: 200 } }, builtinTypes());
  assert.ok(paged.ok && paged.message.kind === "history");
  assert.deepEqual(paged.message.query, { before: 10, limit: 200 });
  for (const data of [{ limit: 201 }, { limit: 0 }, { before: -1 }, { since: 1.5 }, { sinse: 3 }]) {
    const r = parseInbound({ type: "history", data }, builtinTypes());
    assert.ok(!r.ok, JSON.stringify(data));
    assert.match(r.error.message, /Invalid "history" request: data/);
  }
});

Deno.test("declared types are checked against their JSON Schema and size limit", () => {
  const ok = parseInbound({ type: "typing", data: { on: true } }, types);
  assert.ok(ok.ok && ok.message.kind === "publish");
  assert.equal(ok.message.persist, false);
  const persisted = parseInbound({ type: "reaction", data: { emoji: "👍" } }, types);
  assert.ok(persisted.ok && persisted.message.kind === "publish" && persisted.message.persist);
  const wrong = parseInbound({ type: "typing", data: { on: "yes" } }, types);
  assert.ok(!wrong.ok);
  assert.match(wrong.error.message, /data\.on/);
  const big = parseInbound({ type: "reaction", data: { emoji: "x".repeat(100) } }, types);
  assert.ok(!big.ok);
  assert.match(big.error.message, /64-byte limit/);
});

Deno.test("parseInbound() reads a refresh request's token and refuses one without it", () => {
  const ok = parseInbound({ type: "refresh", data: { token: "a.b.c" }, ref: "r1" }, builtinTypes());
  assert.deepEqual(ok, { ok: true, message: { kind: "refresh", token: "a.b.c", ref: "r1" } });
  for (const data of [undefined, {}, { token: "" }, { token: 7 }, { token: "t", extra: 1 }]) {
    const bad = parseInbound({ type: "refresh", data, ref: "r2" }, builtinTypes());
    assert.ok(!bad.ok && bad.error.code === "invalid_message" && bad.ref === "r2");
  }
});

Deno.test("parseInbound() accepts an optional cid of 1 to 64 characters", () => {
  const frame = (cid: unknown) => ({ type: "chat", data: { text: "hi" }, cid });
  assert.ok(parseInbound(frame("k.1"), builtinTypes()).ok);
  assert.ok(parseInbound(frame("x".repeat(64)), builtinTypes()).ok);
  for (const cid of ["", "x".repeat(65), 5]) {
    assert.ok(!parseInbound(frame(cid), builtinTypes()).ok, String(cid));
  }
});

Deno.test("parseInbound() checks members requests: optional cursor, limit 1–200, defaults to 100", () => {
  assert.deepEqual(parseInbound({ type: "members", ref: "m1" }, builtinTypes()), {
    ok: true,
    message: { kind: "members", query: { limit: 100 }, ref: "m1" },
  });
  const paged = parseInbound(
    { type: "members", data: { cursor: "abc.1", limit: 200 } },
    builtinTypes(),
  );
  assert.ok(paged.ok && paged.message.kind === "members" && paged.message.query.limit === 200);
  for (const data of [{ limit: 201 }, { limit: 0 }, { cursor: "" }, { page: 2 }]) {
    const r = parseInbound({ type: "members", data, ref: "m2" }, builtinTypes());
    assert.ok(!r.ok && r.error.code === "invalid_message" && r.ref === "m2", JSON.stringify(data));
    assert.match(r.error.message, /^Invalid "members" request: /);
  }
});
