import assert from "assert";
import { decodeFrame } from "../../src/protocol/codec.ts";
import { builtinTypes } from "../../src/protocol/schemas.ts";
import { isWellFormedJson } from "../../src/protocol/well_formed.ts";

const check = (text: string) => isWellFormedJson(text, JSON.parse(text));

Deno.test("isWellFormedJson() finds lone surrogates in strings, keys and deep values", () => {
  assert.equal(check(String.raw`{"a":["x",{"b":"\ud800"}]}`), false);
  assert.equal(check(String.raw`{"\udc00":1}`), false);
  assert.equal(check(String.raw`"\ud83d"`), false);
  assert.equal(check(String.raw`{"a":"\ud83d\ude00","b":"\u00e9"}`), true);
  assert.equal(check('{"a":"plain"}'), true);
  const deep = "[".repeat(100_000) + String.raw`"\ud800"` + "]".repeat(100_000);
  assert.equal(check(deep), false);
  assert.equal(isWellFormedJson("\ud800", "\ud800"), false);
});

Deno.test("decodeFrame() refuses a frame that is not well-formed Unicode", () => {
  const r = decodeFrame(String.raw`{"type":"chat","data":{"text":"\ud800"}}`, builtinTypes());
  assert.ok(!r.ok);
  assert.equal(r.error.code, "invalid_message");
});
