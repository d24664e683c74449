import assert from "assert";
import fc from "fast-check";
import { decodeFrame } from "../../src/protocol/codec.ts";
import { buildTypeRegistry } from "../../src/protocol/schemas.ts";
import { anyText, fuzzRuns, textFrame } from "./_fuzz.ts";

const types = buildTypeRegistry({
  typing: {
    schema: { type: "object", properties: { on: { type: "boolean" } }, required: ["on"] },
    max_bytes: 64,
    persist: false,
  },
  reaction: {
    schema: {
      type: "object",
      properties: { emoji: { type: "string", maxLength: 8 } },
      required: ["emoji"],
    },
    max_bytes: 4096,
    persist: true,
  },
});
const ERROR_CODES = new Set(["invalid_message", "unknown_type"]);

/** Checks one decode result against the documented shapes. */
function assertDefined(frame: string): void {
  const result = decodeFrame(frame, types);
  if (result.ok) {
    const message = result.message;
    assert.ok(["publish", "history", "members", "refresh"].includes(message.kind));
    assert.ok(message.ref === undefined || message.ref.length <= 64);
    assert.ok(JSON.stringify(message).isWellFormed(), "accepted text is well-formed");
    if (message.kind === "publish" && message.type === "chat") {
      const text = (message.data as { text: string }).text;
      assert.ok(text.length >= 1 && text.length <= 4000);
    }
    return;
  }
  assert.ok(ERROR_CODES.has(result.error.code), result.error.code);
  assert.equal(typeof result.error.message, "string");
  assert.ok(result.error.message.length > 0);
  assert.ok(result.ref === undefined || typeof result.ref === "string");
}

Deno.test("decodeFrame() answers any string with a message or a documented error, never a throw", () => {
  fc.assert(fc.property(anyText(500), (frame) => assertDefined(frame)), {
    numRuns: fuzzRuns(),
  });
});

Deno.test("decodeFrame() answers any JSON-ish frame with a message or a documented error", () => {
  fc.assert(fc.property(textFrame, (frame) => assertDefined(frame)), { numRuns: fuzzRuns() });
});

Deno.test("decodeFrame() refuses every frame holding a lone surrogate", () => {
  const lone = fc.constantFrom("\ud800", "\udbff", "\udc00", "\udfff");
  const frame = fc.tuple(anyText(20), lone, anyText(20)).map(([a, s, b]) =>
    JSON.stringify({ type: "chat", data: { text: `x${a}${s}${b}` } })
  );
  fc.assert(
    fc.property(frame, (text) => {
      const result = decodeFrame(text, types);
      assert.ok(!result.ok);
      assert.equal(result.error.code, "invalid_message");
    }),
    { numRuns: fuzzRuns() },
  );
});
