import assert from "assert";
import type { Msg, TestClient } from "../_helpers/client.ts";
import { startServer } from "../_helpers/server.ts";

let refs = 0;

/** Sends a `history` request and waits for the answer with the same ref. */
async function history(client: TestClient, data: unknown): Promise<Msg> {
  const ref = `h${++refs}`;
  client.send({ type: "history", data, ref });
  return await client.next((m) => m.ref === ref && (m.type === "history" || m.type === "error"));
}

const ids = (answer: Msg) => answer.data.messages.map((m: Msg) => m.id);

Deno.test("history over the socket pages by before, since and limit", async (t) => {
  const server = await startServer();
  try {
    const ana = await server.connect("lobby", "ana");
    const bo = await server.connect("lobby", "bo");
    await bo.nextOfType("system");
    for (let i = 1; i <= 12; i++) {
      ana.send({ type: "chat", data: { text: `m${i}` }, ref: `c${i}` });
      await ana.next((m) => m.type === "ack" && m.ref === `c${i}`);
    }
    const live = await bo.next((m) => m.type === "chat" && m.id === 12);

    await t.step("without data: the newest 50, oldest first, as the live envelopes", async () => {
      const answer = await history(bo, undefined);
      assert.equal(answer.type, "history");
      assert.deepEqual(ids(answer), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
      assert.equal(answer.data.has_more, false);
      assert.deepStrictEqual(answer.data.messages.at(-1), live);
    });
    await t.step("before and limit walk backwards until has_more is false", async () => {
      const first = await history(bo, { limit: 5 });
      assert.deepEqual([ids(first), first.data.has_more], [[8, 9, 10, 11, 12], true]);
      const second = await history(bo, { before: 8, limit: 5 });
      assert.deepEqual([ids(second), second.data.has_more], [[3, 4, 5, 6, 7], true]);
      const last = await history(bo, { before: 3, limit: 5 });
      assert.deepEqual([ids(last), last.data.has_more], [[1, 2], false]);
    });
    await t.step("since walks forwards until has_more is false", async () => {
      const first = await history(bo, { since: 0, limit: 5 });
      assert.deepEqual([ids(first), first.data.has_more], [[1, 2, 3, 4, 5], true]);
      const last = await history(bo, { since: 10, limit: 5 });
      assert.deepEqual([ids(last), last.data.has_more], [[11, 12], false]);
      const both = await history(bo, { since: 3, before: 6, limit: 200 });
      assert.deepEqual([ids(both), both.data.has_more], [[4, 5], false]);
    });
    await ana.close();
    await bo.close();
  } finally {
    await server.close();
  }
});

Deno.test("a malformed history request gets an error with the field path and the connection lives on", async () => {
  const server = await startServer();
  try {
    const client = await server.connect("lobby", "ana");
    await client.nextOfType("system");
    const cases: [unknown, RegExp][] = [
      [{ limit: 0 }, /^Invalid "history" request: data\.limit: /],
      [{ limit: 201 }, /^Invalid "history" request: data\.limit: /],
      [{ limit: 2.5 }, /^Invalid "history" request: data\.limit: /],
      [{ before: "5" }, /^Invalid "history" request: data\.before: /],
      [{ before: 0 }, /^Invalid "history" request: data\.before: /],
      [{ since: -1 }, /^Invalid "history" request: data\.since: /],
      [{ after: 3 }, /^Invalid "history" request: data: .*after/],
      ["recent", /^Invalid "history" request: data: /],
    ];
    for (const [data, message] of cases) {
      const answer = await history(client, data);
      assert.equal(answer.type, "error", JSON.stringify(data));
      assert.equal(answer.data.code, "invalid_message");
      assert.match(answer.data.message, message);
    }
    client.send({ type: "chat", data: { text: "still here" }, ref: "alive" });
    assert.equal((await client.next((m) => m.ref === "alive")).type, "ack");
    const answer = await history(client, { limit: 1 });
    assert.deepEqual(ids(answer), [1]);
    assert.equal(client.socket.readyState, WebSocket.OPEN);
    await client.close();
  } finally {
    await server.close();
  }
});
