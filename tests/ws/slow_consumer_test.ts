import assert from "assert";
import { announcesJoin, announcesLeave } from "../_helpers/presence.ts";
import { rawUpgrade } from "../_helpers/raw_upgrade.ts";
import { startServer, type TestServer } from "../_helpers/server.ts";
import type { TestClient } from "../_helpers/client.ts";

/** Outbound cap of the server under test. */
const MAX_QUEUE_BYTES = 65_536;
/** Chat messages published: about 6 MB in all, past what the loopback TCP buffers hold. */
const MESSAGES = 6_000;
/** Messages in flight before the publisher waits for their acks (about 16 KB per turn). */
const WINDOW = 16;
/**
 * Text of each message: client frames stay under 1 KiB, because Deno's WebSocket client leaves
 * Nagle's algorithm on and larger frames wait for a delayed ACK (about 40 ms each round).
 */
const TEXT = "x".repeat(900);

/**
 * Opens a WebSocket by hand over TCP and reads only the `101` response head; the connection is
 * never read again, so whatever the server sends piles up in the kernel buffers, then in the
 * server socket's `bufferedAmount`.
 */
async function connectNonReader(
  server: TestServer,
  room: string,
  user: string,
): Promise<Deno.Conn> {
  const token = await server.token({ sub: user, name: user });
  const { conn, status, head } = await rawUpgrade(
    server.port,
    server.origin,
    `/ws/${room}?token=${token}`,
  );
  assert.equal(status, 101, `the raw client's upgrade was refused: ${head}`);
  return conn;
}

/** Publishes `count` chat messages, at most `WINDOW` unacknowledged at a time. */
async function publish(publisher: TestClient, count: number): Promise<void> {
  for (let sent = 0; sent < count; sent += WINDOW) {
    const batch = Math.min(WINDOW, count - sent);
    for (let i = 0; i < batch; i++) {
      publisher.send({ type: "chat", data: { text: TEXT }, ref: `m${sent + i}` });
    }
    for (let i = 0; i < batch; i++) await publisher.nextOfType("ack");
  }
}

Deno.test("a member that stops reading is cut off with 4408 while the others receive every message", async () => {
  const server = await startServer({ ROOMD_MAX_QUEUE_BYTES: String(MAX_QUEUE_BYTES) });
  let raw: Deno.Conn | null = null;
  try {
    const publisher = await server.connect("busy", { sub: "pub", name: "pub" });
    await publisher.nextOfType("system");
    const reader = await server.connect("busy", { sub: "reader", name: "reader" });
    await reader.nextOfType("system");
    raw = await connectNonReader(server, "busy", "slow");
    await reader.next((m) => announcesJoin(m, "slow"));

    await publish(publisher, MESSAGES);

    const chats: number[] = [];
    while (chats.length < MESSAGES) chats.push((await reader.nextOfType("chat")).id);
    assert.deepEqual(chats, Array.from({ length: MESSAGES }, (_, i) => i + 1));
    assert.equal(server.metrics.stats().slow_consumer_disconnects, 1);
    const cut = server.logs.map((line) => JSON.parse(line)).filter((record) =>
      record.code === 4408
    );
    assert.equal(cut.length, 1, `expected one 4408 log line, got ${JSON.stringify(cut)}`);
    assert.equal(cut[0].user, "slow");
    assert.match(cut[0].message, /slow consumer/);
    assert.equal(publisher.socket.readyState, WebSocket.OPEN);
    assert.equal(reader.socket.readyState, WebSocket.OPEN);

    raw.close();
    raw = null;
    await reader.next((m) => announcesLeave(m, "slow"));
    await publisher.close();
    await reader.close();
  } finally {
    raw?.close();
    await server.close();
  }
});
