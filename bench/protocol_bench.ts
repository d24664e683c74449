/**
 * The per-message protocol work, paid once per message whatever the room size: decoding and
 * validating one incoming chat frame, and serializing one outgoing message (as the broadcast
 * path does: the payload once, shared by the frame and the store, then the frame around it).
 *
 * ```sh
 * deno bench --allow-all bench/protocol_bench.ts
 * ```
 *
 * @module
 */
import { decodeFrame, encodeMessage, type MessageHead } from "../src/protocol/codec.ts";
import { buildTypeRegistry } from "../src/protocol/schemas.ts";

const types = buildTypeRegistry({});
const text =
  "hello everyone, this is a chat message of about a hundred bytes, as in the load test!";
const frame = JSON.stringify({ type: "chat", data: { text }, ref: "c-42" });

const check = decodeFrame(frame, types);
if (!check.ok || check.message.kind !== "publish") {
  throw new Error(
    `Cannot benchmark decoding: the sample frame is refused (${JSON.stringify(check)})`,
  );
}

Deno.bench({
  name: "decode and validate a chat message",
  fn() {
    const decoded = decodeFrame(frame, types);
    if (!decoded.ok) throw new Error("Cannot decode the sample frame");
  },
});

const head: MessageHead = {
  type: "chat",
  room_id: "lobby",
  user_id: "user-42",
  timestamp: new Date().toISOString(),
  id: 12_345,
};
const data = { text };

Deno.bench({
  name: "encode an outgoing message",
  fn() {
    const frame = encodeMessage(head, JSON.stringify(data));
    if (frame.bytes === 0) throw new Error("Cannot encode the sample message");
  },
});
