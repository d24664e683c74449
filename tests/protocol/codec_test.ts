import assert from "assert";
import {
  decodeFrame,
  encodeAck,
  encodeEnvelope,
  encodeError,
  utf8Length,
} from "../../src/protocol/codec.ts";
import { builtinTypes } from "../../src/protocol/schemas.ts";

Deno.test("decodeFrame() turns invalid JSON into an invalid_message error, never an exception", () => {
  for (const frame of ["", "{", "nul", '{"type":"chat",}', "\u0000"]) {
    const r = decodeFrame(frame, builtinTypes());
    assert.ok(!r.ok);
    assert.equal(r.error.code, "invalid_message");
  }
});

Deno.test("decodeFrame() keeps the ref of a readable frame that fails validation", () => {
  const r = decodeFrame('{"type":"chat","data":{},"ref":"abc"}', builtinTypes());
  assert.ok(!r.ok);
  assert.equal(r.ref, "abc");
});

Deno.test("encodeEnvelope(), encodeAck() and encodeError() produce the documented shapes", () => {
  const envelope = {
    type: "chat",
    id: 3,
    room_id: "r",
    user_id: "u",
    data: { text: "hi" },
    timestamp: "2026-01-01T00:00:00.000Z",
  };
  assert.deepEqual(JSON.parse(encodeEnvelope(envelope)), envelope);
  assert.deepEqual(JSON.parse(encodeAck("c1", 3, "t")), {
    type: "ack",
    ref: "c1",
    id: 3,
    timestamp: "t",
  });
  assert.deepEqual(JSON.parse(encodeAck(undefined, undefined, "t")), {
    type: "ack",
    timestamp: "t",
  });
  const error = JSON.parse(
    encodeError({ code: "rate_limited", message: "slow down", retry_after_ms: 50 }, "r1"),
  );
  assert.equal(error.type, "error");
  assert.deepEqual(error.data, { code: "rate_limited", message: "slow down", retry_after_ms: 50 });
  assert.equal(error.ref, "r1");
});

Deno.test("utf8Length() counts UTF-8 bytes like TextEncoder", () => {
  const encoder = new TextEncoder();
  for (const text of ["", "abc", "é", "日本語", "👍🏽", "a\u0000b", "\ud800x"]) {
    assert.equal(utf8Length(text), encoder.encode(text).length, JSON.stringify(text));
  }
});
