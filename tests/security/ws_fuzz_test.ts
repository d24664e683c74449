import assert from "assert";
import fc from "fast-check";
import type { Msg, TestClient } from "../_helpers/client.ts";
import { startServer, type TestServer } from "../_helpers/server.ts";
import { until } from "../_helpers/until.ts";
import { fuzzRuns, textFrame } from "./_fuzz.ts";

const TYPES = {
  types: {
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
      persist: true,
    },
  },
};
/** Replies a frame may get (`members` and `ack`s of other types are built-in answers too). */
const REPLIES = new Set(["error", "ack", "history", "members"]);
const ERROR_CODES = new Set(["invalid_message", "unknown_type", "rate_limited", "unavailable"]);
/** Closes a frame may earn, all documented: binary, too large, token refresh refused, flooding. */
const CLOSES = new Set([1003, 1009, 4401, 4403, 4429]);

/** An attacker frame: mostly text, sometimes binary. */
const attackerFrame: fc.Arbitrary<string | Uint8Array> = fc.oneof(
  { arbitrary: textFrame, weight: 30 },
  { arbitrary: fc.uint8Array({ maxLength: 64 }), weight: 1 },
);

/** Connects the attacker and waits for its welcome. */
async function connectAttacker(server: TestServer): Promise<TestClient> {
  const client = await server.connect("arena", "mallory");
  await client.next((m) => m.type === "system" && m.data.event === "welcome");
  return client;
}

/** The attacker's answer to the frame it just sent: a reply, or a close. */
async function answer(client: TestClient): Promise<Msg | { closed: number }> {
  const reply = client.next((m) => REPLIES.has(m.type)).catch(() => null);
  const closed = client.closed.then((info) => ({ closed: info.code }));
  const first = await Promise.race([reply, closed]);
  if (first === null) return await closed;
  return first;
}

Deno.test("arbitrary frames from an attacker get a defined reply or a documented close, and a bystander misses nothing", async () => {
  // The default size limit: a 1009 would bar the attacker from reconnecting for a while (tested
  // in ws_frames_test.ts), and no generated frame comes near 32 KiB.
  const server = await startServer({}, TYPES);
  try {
    const bystander = await server.connect("arena", "bystander");
    await bystander.nextOfType("system");
    const publisher = await server.connect("arena", "publisher");
    await publisher.nextOfType("system");
    let attacker = await connectAttacker(server);
    let published = 0;
    let run = 0;
    await fc.assert(
      fc.asyncProperty(attackerFrame, async (frame) => {
        if (++run % 10 === 0) {
          publisher.send({ type: "chat", data: { text: `p${published}` }, ref: `p${published}` });
          published++;
        }
        if (attacker.socket.readyState !== WebSocket.OPEN) attacker = await connectAttacker(server);
        attacker.send(frame);
        const got = await answer(attacker);
        if ("closed" in got) {
          assert.ok(CLOSES.has(got.closed), `close ${got.closed} after ${String(frame)}`);
          if (typeof frame === "string") assert.notEqual(got.closed, 1003);
          return;
        }
        if (got.type === "error") {
          assert.ok(ERROR_CODES.has(got.data.code), got.data.code);
          assert.equal(typeof got.data.message, "string");
        }
      }),
      { numRuns: fuzzRuns() },
    );
    await until(
      () => publisher.received.filter((m) => m.type === "ack").length === published,
      "the publisher's acks",
      10_000,
    );
    const sent = publisher.received.filter((m) => m.type === "ack").map((m) => m.id);
    await until(
      () =>
        bystander.received.filter((m) => m.type === "chat" && m.user_id === "publisher").length ===
          published,
      "every message of the publisher to reach the bystander",
      10_000,
    );
    const seen = bystander.received.filter((m) => m.type === "chat" && m.user_id === "publisher");
    assert.deepEqual(seen.map((m) => m.id), sent);
    assert.deepEqual(seen.map((m) => m.data.text), sent.map((_, i) => `p${i}`));
    const health = await server.request("/healthz");
    assert.equal(health.status, 200);
    await health.body?.cancel();
    for (const client of [attacker, bystander, publisher]) await client.close();
  } finally {
    await server.close();
  }
});
