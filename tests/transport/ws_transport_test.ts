import assert from "assert";
import { openClient, type TestClient } from "../_helpers/client.ts";
import { rawUpgrade } from "../_helpers/raw_upgrade.ts";
import { frameHeader, rawWebSocket, readCloseCode } from "../_helpers/raw_socket.ts";
import { startServer, type TestServer } from "../_helpers/server.ts";
import { until } from "../_helpers/until.ts";

const TRANSPORTS = ["native", "ws"] as const;

async function openRaw(server: TestServer, room: string, user: string): Promise<TestClient> {
  const token = await server.token({ sub: user, name: user });
  return openClient(`ws://127.0.0.1:${server.port}/ws/${room}?token=${token}`, {
    Origin: server.origin,
  });
}

Deno.test("on the ws transport an oversized frame closes only its sender, with 1009", async () => {
  const server = await startServer({ ROOMD_TRANSPORT: "ws", ROOMD_MAX_MESSAGE_BYTES: "1024" });
  try {
    const alice = await server.connect("big", "alice");
    const bob = await server.connect("big", "bob");
    await alice.nextOfType("system");
    await bob.nextOfType("system");
    alice.socket.send(JSON.stringify({ type: "chat", data: { text: "x".repeat(1 << 20) } }));
    assert.equal((await alice.waitClosed()).code, 1009);
    await until(async () => {
      const metrics = await (await server.request("/metrics")).text();
      return /roomd_close_codes_total\{code="1009"\} 1/.test(metrics);
    }, "the server to count the close as 1009");
    bob.send({ type: "chat", data: { text: "still here" }, ref: "b1" });
    assert.equal((await bob.nextOfType("ack")).ref, "b1");
    await bob.close();
  } finally {
    await server.close();
  }
});

Deno.test("a binary frame gets the same answer on both transports", async () => {
  const outcomes: string[] = [];
  for (const transport of TRANSPORTS) {
    const server = await startServer({ ROOMD_TRANSPORT: transport });
    try {
      const client = await openRaw(server, "bin", "carol");
      await client.nextOfType("system");
      client.socket.send(new Uint8Array([1, 2, 3]));
      const outcome = await Promise.race([
        client.next((m) => m.type === "error").then((m) => `error ${m.data.code}`),
        client.closed.then((c) => `closed ${c.code}`),
      ]);
      outcomes.push(outcome);
      await client.close();
    } finally {
      await server.close();
    }
  }
  assert.equal(outcomes[1], outcomes[0]);
});

for (const transport of TRANSPORTS) {
  Deno.test(`on the ${transport} transport a peer that never answers pings is closed after the idle timeout, and one that answers stays`, async () => {
    const server = await startServer({ ROOMD_TRANSPORT: transport, ROOMD_IDLE_TIMEOUT_S: "1" });
    try {
      const bob = await server.connect("idle", "bob");
      await bob.nextOfType("system");
      const token = await server.token({ sub: "mute", name: "mute" });
      const mute = await rawUpgrade(server.port, server.origin, `/ws/idle?token=${token}`);
      assert.equal(mute.status, 101);
      const left = (m: Record<string, unknown>) =>
        m.type === "presence" && JSON.stringify(m.data).includes("leave");
      await bob.next(left, 10_000);
      bob.send({ type: "chat", data: { text: "awake" }, ref: "b1" });
      assert.equal((await bob.nextOfType("ack")).ref, "b1");
      mute.conn.close();
      await bob.close();
    } finally {
      await server.close();
    }
  });
}

Deno.test("on the ws transport a frame announced over the limit is refused from its header, before its payload", async () => {
  const server = await startServer({ ROOMD_TRANSPORT: "ws", ROOMD_MAX_MESSAGE_BYTES: "1024" });
  try {
    const token = await server.token({ sub: "dave", name: "dave" });
    const raw = await rawWebSocket(server.port, server.origin, `/ws/hdr?token=${token}`);
    // A header announcing 16 MiB, then no payload at all.
    await raw.conn.write(frameHeader(16 << 20));
    // Without the limit the server would wait for the 16 MiB: give up (and fail) after 5 s.
    const giveUp = setTimeout(() => raw.conn.close(), 5000);
    try {
      assert.equal(await readCloseCode(raw), 1009);
    } finally {
      clearTimeout(giveUp);
    }
    raw.conn.close();
  } finally {
    await server.close();
  }
});
