import assert from "assert";
import { Buffer } from "node:buffer";
import { textFrame } from "../../src/transport/ws_socket.ts";

/** Reads one unmasked frame as a client would (RFC 6455 §5.2). */
function readFrame(frame: Buffer): { fin: boolean; opcode: number; text: string } {
  assert.equal(frame[1] & 0x80, 0, "a server frame is not masked");
  let length = frame[1] & 0x7f;
  let offset = 2;
  if (length === 126) {
    length = frame.readUInt16BE(2);
    offset = 4;
  } else if (length === 127) {
    length = Number(frame.readBigUInt64BE(2));
    offset = 10;
  }
  assert.equal(frame.length, offset + length, "the frame holds exactly its payload");
  return {
    fin: (frame[0] & 0x80) !== 0,
    opcode: frame[0] & 0x0f,
    text: frame.subarray(offset).toString("utf8"),
  };
}

Deno.test("textFrame() frames text of every length class as one final text frame", () => {
  for (const length of [0, 1, 125, 126, 127, 65_535, 65_536, 200_000]) {
    const text = "x".repeat(length);
    assert.deepEqual(readFrame(textFrame(text)), { fin: true, opcode: 1, text }, `${length} B`);
  }
});

Deno.test("textFrame() counts the payload in UTF-8 bytes, not UTF-16 units", () => {
  for (const text of ["é".repeat(63), "é".repeat(64), "😀".repeat(16_384), "a€😀"]) {
    assert.deepEqual(readFrame(textFrame(text)), { fin: true, opcode: 1, text });
  }
});
