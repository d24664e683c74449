import assert from "assert";
import { closeOf, readServerFrames } from "../_helpers/raw_frames.ts";
import { rawUpgrade } from "../_helpers/raw_upgrade.ts";
import { startServer } from "../_helpers/server.ts";
import { until } from "../_helpers/until.ts";

Deno.test("a client that answers no ping is closed with 1001 'No response from ping frame.' and the close is logged as an idle timeout", async () => {
  const server = await startServer({ ROOMD_IDLE_TIMEOUT_S: "1" });
  try {
    const token = await server.token({ sub: "sleeper", name: "sleeper" });
    const upgrade = await rawUpgrade(server.port, server.origin, `/ws/lobby?token=${token}`);
    assert.equal(upgrade.status, 101);
    const frames = await readServerFrames(upgrade.conn, upgrade.restBytes, (f) => f.opcode === 8);
    upgrade.conn.close();
    assert.ok(frames.some((f) => f.opcode === 9), "the server pinged first");
    const close = frames.at(-1)!;
    assert.equal(close.opcode, 8);
    assert.deepEqual(closeOf(close), { code: 1001, reason: "No response from ping frame." });
    await until(
      () => server.logs.some((line) => line.includes("idle timeout: nothing received")),
      "the idle timeout's log line",
    );
    const line = JSON.parse(server.logs.find((l) => l.includes("idle timeout"))!);
    assert.equal(line.level, "INFO");
    assert.equal(line.code, 1001);
    assert.equal(line.user, "sleeper");
    assert.match(line.reason, /within 1 s/);
  } finally {
    await server.close();
  }
});

Deno.test("a client that answers pings stays connected past the idle timeout", async () => {
  const server = await startServer({ ROOMD_IDLE_TIMEOUT_S: "1" });
  try {
    const alice = await server.connect("lobby", "alice");
    await alice.nextOfType("system");
    await new Promise((resolve) => setTimeout(resolve, 2500));
    assert.equal(alice.socket.readyState, WebSocket.OPEN);
    await alice.close();
    assert.ok(!server.logs.some((line) => line.includes("idle timeout")));
  } finally {
    await server.close();
  }
});
