import assert from "assert";
import {
  decodeFrame,
  encodeAck,
  encodeEnvelope,
  encodeError,
  encodeMessage,
  messagePrefix,
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
  assert.deepEqual(JSON.parse(encodeAck("c1", 3, "t").text), {
    type: "ack",
    ref: "c1",
    id: 3,
    timestamp: "t",
  });
  assert.deepEqual(JSON.parse(encodeAck(undefined, undefined, "t").text), {
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

Deno.test("encodeMessage() and encodeAck() give the JSON.stringify text and its exact UTF-8 size", () => {
  const bytes = (text: string) => new TextEncoder().encode(text).length;
  const timestamp = "2026-01-01T00:00:00.000Z";
  for (const user_id of ["ana", 'zoë "z" 😀', null]) {
    for (const data of [{ text: "hi" }, { text: '日本語\n"q"' }, null, "\ud800"]) {
      const frame = encodeMessage(
        { type: "chat", room_id: "lobby", user_id, timestamp, id: 9 },
        JSON.stringify(data),
      );
      const expected = JSON.stringify({
        type: "chat",
        room_id: "lobby",
        user_id,
        data,
        timestamp,
        id: 9,
      });
      assert.equal(frame.text, expected);
      assert.equal(frame.bytes, bytes(expected));
      const kept = messagePrefix("chat", "lobby");
      assert.deepEqual(
        encodeMessage(
          { type: "chat", room_id: "lobby", user_id, timestamp, id: 9 },
          JSON.stringify(data),
          kept,
        ),
        frame,
      );
    }
  }
  const ephemeral = encodeMessage(
    { type: "typing", room_id: "lobby", user_id: "ana", timestamp },
    "{}",
  );
  assert.equal(
    ephemeral.text,
    JSON.stringify({ type: "typing", room_id: "lobby", user_id: "ana", data: {}, timestamp }),
  );
  for (const ref of [undefined, "c1", "réf 👍"]) {
    const ack = encodeAck(ref, 4, timestamp);
    assert.equal(ack.text, JSON.stringify({ type: "ack", ref, id: 4, timestamp }));
    assert.equal(ack.bytes, bytes(ack.text));
  }
});
