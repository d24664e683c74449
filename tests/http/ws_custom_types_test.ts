import assert from "assert";
import { startServer } from "../_helpers/server.ts";

const CONFIG = {
  types: {
    reaction: {
      schema: {
        type: "object",
        properties: {
          emoji: { type: "string", minLength: 1, maxLength: 8 },
          to: { type: "integer", minimum: 1 },
        },
        required: ["emoji", "to"],
        additionalProperties: false,
      },
      max_bytes: 64,
      persist: true,
    },
    typing: {
      schema: {
        type: "object",
        properties: { state: { enum: ["start", "stop"] } },
        required: ["state"],
      },
      max_bytes: 128,
      persist: false,
    },
  },
};

Deno.test("types declared in the config file are validated, relayed, and persisted or not", async (t) => {
  const server = await startServer({}, CONFIG);
  try {
    const ana = await server.connect("lobby", "ana");
    const bo = await server.connect("lobby", "bo");
    await bo.nextOfType("system");
    await ana.nextOfType("presence");

    await t.step("a persisted type gets an id and an ack with it", async () => {
      ana.send({ type: "reaction", data: { emoji: "👍", to: 1 }, ref: "r1" });
      const ack = await ana.next((m) => m.ref === "r1");
      assert.deepEqual([ack.type, ack.id], ["ack", 1]);
      const got = await bo.nextOfType("reaction");
      assert.equal(got.id, 1);
      assert.equal(got.user_id, "ana");
      assert.deepEqual(got.data, { emoji: "👍", to: 1 });
    });
    await t.step("an ephemeral type is relayed without id and is not stored", async () => {
      ana.send({ type: "typing", data: { state: "start" }, ref: "t1" });
      const ack = await ana.next((m) => m.ref === "t1");
      assert.equal(ack.type, "ack");
      assert.equal(ack.id, undefined);
      const got = await bo.nextOfType("typing");
      assert.equal(got.id, undefined);
      assert.deepEqual(got.data, { state: "start" });
    });
    await t.step("a schema violation → invalid_message with the field path", async () => {
      const cases: [unknown, string][] = [
        [{ emoji: 5, to: 1 }, 'Invalid "reaction" message: data.emoji: must be string'],
        [{ emoji: "x", to: 0 }, 'Invalid "reaction" message: data.to: must be >= 1'],
        [{ emoji: "x" }, "Invalid \"reaction\" message: data: must have required property 'to'"],
      ];
      for (const [data, message] of cases) {
        ana.send({ type: "reaction", data, ref: "bad" });
        const error = await ana.next((m) => m.ref === "bad");
        assert.equal(error.type, "error");
        assert.deepEqual(error.data, { code: "invalid_message", message });
      }
    });
    await t.step("data over the type's max_bytes → an error, nothing relayed", async () => {
      ana.send({ type: "typing", data: { state: "start", pad: "x".repeat(200) }, ref: "big" });
      const error = await ana.next((m) => m.ref === "big");
      assert.equal(error.data.code, "invalid_message");
      assert.match(error.data.message, /over the 128-byte limit of "typing"/);
    });
    await t.step("an undeclared type → unknown_type", async () => {
      ana.send({ type: "poll", data: {}, ref: "u1" });
      const error = await ana.next((m) => m.ref === "u1");
      assert.deepEqual([error.type, error.data.code], ["error", "unknown_type"]);
      ana.send({ type: "system", data: {}, ref: "u2" });
      const serverOnly = await ana.next((m) => m.ref === "u2");
      assert.equal(serverOnly.data.code, "unknown_type");
    });
    await t.step("history holds the persisted type only", async () => {
      ana.send({ type: "chat", data: { text: "end" }, ref: "end" });
      assert.equal((await ana.next((m) => m.ref === "end")).id, 2);
      ana.send({ type: "history", data: {}, ref: "h" });
      const answer = await ana.next((m) => m.ref === "h");
      assert.deepEqual(answer.data.messages.map((m: { type: string }) => m.type), [
        "reaction",
        "chat",
      ]);
    });
    const relayed = bo.received.filter((m) => ["reaction", "typing", "poll"].includes(m.type));
    assert.deepEqual(
      relayed.map((m) => m.type),
      ["reaction", "typing"],
      "bad messages are dropped",
    );
    await ana.close();
    await bo.close();
  } finally {
    await server.close();
  }
});
