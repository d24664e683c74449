import assert from "assert";
import { chatFrame, padding, readStamp, STAMP_LENGTH } from "../../bench/_stamp.ts";

Deno.test("chatFrame() builds a chat message whose text is exactly the payload size", () => {
  for (const size of [STAMP_LENGTH, 100, 4000]) {
    const frame = JSON.parse(chatFrame(123_456, padding(size), "9"));
    assert.equal(frame.type, "chat");
    assert.equal(frame.ref, "9");
    assert.equal(frame.data.text.length, size);
    assert.equal(frame.data.text.trim(), frame.data.text);
  }
});

Deno.test("padding() refuses a payload smaller than the stamp", () => {
  assert.throws(() => padding(STAMP_LENGTH - 1), RangeError);
});

Deno.test("readStamp() finds the send time in roomd's and the baseline's envelopes", () => {
  const text = JSON.parse(chatFrame(987_654_321_012, padding(40), "1")).data.text;
  const roomd = JSON.stringify({
    type: "chat",
    id: 17,
    room_id: "load-1",
    user_id: "u",
    data: { text },
    timestamp: "2025-01-01T00:00:00.000Z",
  });
  const baseline = JSON.stringify({
    type: "chat",
    room_id: "r",
    user_id: "u",
    data: { text },
    timestamp: "t",
  });
  assert.equal(readStamp(roomd), 987_654_321_012);
  assert.equal(readStamp(baseline), 987_654_321_012);
});

Deno.test("readStamp() returns -1 for frames without a stamp", async (t) => {
  const frames = {
    ack: '{"type":"ack","ref":"3","id":4,"timestamp":"2025-01-01T00:00:00.000Z"}',
    presence: '{"type":"presence","data":{"event":"join","user":{"id":"u","name":"u"}}}',
    "a tilde followed by letters": '{"type":"chat","data":{"text":"~hello world~ ok"}}',
    "digits without the closing tilde": '{"type":"chat","data":{"text":"~0000000012345"}}',
    "a short stamp at the end": '{"data":{"text":"~12',
  };
  for (const [name, frame] of Object.entries(frames)) {
    await t.step(name, () => assert.equal(readStamp(frame), -1));
  }
});
