import assert from "assert";
import type { TestClient } from "../_helpers/client.ts";
import { startServer, type TestServer } from "../_helpers/server.ts";
import { until } from "../_helpers/until.ts";

const chatIds = (client: TestClient) =>
  client.received.filter((m) => m.type === "chat").map((m) => m.id as number);

const TEXT = "x".repeat(1000);
/** Messages published before the reader resumes: about 430 KB, 26 times the queue cap. */
const BACKLOG = 400;

/**
 * A server with a 16 KiB queue cap, a publisher that has sent {@linkcode BACKLOG} messages, and
 * a reader resuming from the start.
 */
async function resumingReader(): Promise<{
  server: TestServer;
  publisher: TestClient;
  reader: TestClient;
}> {
  const server = await startServer({ ROOMD_MAX_QUEUE_BYTES: "16384", ROOMD_HISTORY_SIZE: "0" });
  const publisher = await server.connect("lobby", "pub");
  const welcome = await publisher.nextOfType("system");
  for (let i = 1; i <= BACKLOG; i++) {
    publisher.send({ type: "chat", data: { text: TEXT }, ref: `b${i}` });
    if (i % 50 === 0) await publisher.next((m) => m.type === "ack" && m.ref === `b${i}`);
  }
  const reader = await server.connect("lobby", "reader", {
    since: "0",
    epoch: welcome.data.epoch,
  });
  return { server, publisher, reader };
}

Deno.test("a resume replaying a backlog far over ROOMD_MAX_QUEUE_BYTES gets every message without 4408, live ones after it in id order", async () => {
  const { server, publisher, reader } = await resumingReader();
  try {
    const live = 100;
    for (let i = 1; i <= live; i++) {
      publisher.send({ type: "chat", data: { text: TEXT }, ref: `l${i}` });
    }
    await until(
      () => chatIds(reader).length >= BACKLOG + live || reader.socket.readyState !== WebSocket.OPEN,
      "every message to reach the reader",
      20_000,
    );
    assert.equal(reader.socket.readyState, WebSocket.OPEN, "the reader was not cut off");
    const ids = chatIds(reader);
    assert.deepEqual(ids, Array.from({ length: BACKLOG + live }, (_, i) => i + 1));
    assert.equal((await reader.nextOfType("system")).data.recovered, true);
    await reader.close();
    await publisher.close();
  } finally {
    await server.close();
  }
});

Deno.test("an ack sent while a resume replays comes after every message with a lower id", async () => {
  const { server, publisher, reader } = await resumingReader();
  try {
    publisher.send({ type: "chat", data: { text: "live" }, ref: "live" });
    await publisher.next((m) => m.type === "ack" && m.ref === "live");
    reader.send({ type: "chat", data: { text: "mine" }, ref: "mine" });
    const ack = await reader.next((m) => m.type === "ack" && m.ref === "mine", 20_000);
    assert.equal(ack.id, BACKLOG + 2);
    const before = chatIds(reader);
    assert.deepEqual(before, Array.from({ length: BACKLOG + 1 }, (_, i) => i + 1));
    await reader.close();
    await publisher.close();
  } finally {
    await server.close();
  }
});
