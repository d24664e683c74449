import assert from "assert";
import { rawUpgrade } from "./_helpers/raw_upgrade.ts";
import { SignJWT } from "jose";
import { mintToken } from "../src/auth/mint.ts";
import { setupLogging } from "../src/log.ts";
import { openClient } from "./_helpers/client.ts";
import { type ChildServer, startChild, stopChild } from "./_helpers/child_server.ts";
import { upgradeHeaders } from "./_helpers/server.ts";
import { until } from "./_helpers/until.ts";

// deno-lint-ignore no-explicit-any -- log lines are arbitrary JSON objects
type Line = Record<string, any>;

Deno.test("setupLogging() json lines keep their message when a property is called message", async () => {
  const lines: string[] = [];
  const log = await setupLogging({ level: "debug", format: "json", write: (l) => lines.push(l) });
  log.info("Refused: {message}", { message: "nope", level: "x", user: "u1" });
  assert.equal(lines.length, 1);
  const line = JSON.parse(lines[0]);
  assert.equal(line.message, 'Refused: "nope"');
  assert.equal(line.level, "INFO");
  assert.equal(line._message, "nope");
  assert.equal(line._level, "x");
  assert.equal(line.user, "u1");
});

const SECRET = "log-test-secret-7f3a9c2e5b1d";
const METRICS_TOKEN = "metrics-token-5e8d1c0b";

/** Opens a WebSocket with a raw TCP handshake and drops the connection without a close frame. */
async function dropAbruptly(child: ChildServer, token: string): Promise<void> {
  const { conn, status } = await rawUpgrade(child.port, child.origin, `/ws/lobby?token=${token}`);
  conn.close();
  assert.equal(status, 101);
}

async function refusedStatus(child: ChildServer, token: string): Promise<number> {
  const res = await fetch(`${child.origin}/ws/lobby?token=${token}`, {
    headers: upgradeHeaders(child.origin),
  });
  await res.body?.cancel();
  return res.status;
}

Deno.test("a real server's JSON logs hold no secret or token and log each refusal and abnormal close once", async (t) => {
  const dataDir = await Deno.makeTempDir({ prefix: "roomd-logs-" });
  const child = await startChild({
    ROOMD_DATA_DIR: dataDir,
    ROOMD_JWT_SECRET: SECRET,
    ROOMD_METRICS_TOKEN: METRICS_TOKEN,
    ROOMD_LOG_LEVEL: "debug",
    ROOMD_MAX_MESSAGE_BYTES: "256",
  });
  const forged = await mintToken("some-other-secret-0123456789", { sub: "mallory" }, "1h");
  const expired = await new SignJWT({ sub: "late" }).setProtectedHeader({ alg: "HS256" })
    .setExpirationTime(Math.floor(Date.now() / 1000) - 60)
    .sign(new TextEncoder().encode(SECRET));
  const alice = await mintToken(SECRET, { sub: "alice" }, "1h");
  const bob = await mintToken(SECRET, { sub: "bob" }, "1h");
  const admin = await mintToken(SECRET, { sub: "root", admin: true }, "1h");
  try {
    assert.equal(await refusedStatus(child, forged), 401);
    assert.equal(await refusedStatus(child, expired), 401);

    // Before the 1009, which bars this address from connecting for a second.
    await dropAbruptly(child, bob);

    const client = await openClient(`ws://127.0.0.1:${child.port}/ws/lobby?token=${alice}`, {
      Origin: child.origin,
    });
    await client.nextOfType("system");
    client.send({ type: "chat", data: { text: "hello" } });
    await client.nextOfType("ack");
    client.send({ type: "chat", data: { text: "x".repeat(400) } });
    assert.equal((await client.waitClosed()).code, 1009);

    const stats = await fetch(`${child.origin}/api/stats`, {
      headers: { authorization: `Bearer ${admin}` },
    });
    assert.equal(stats.status, 200);
    await stats.body?.cancel();
    const metrics = await fetch(`${child.origin}/metrics`, {
      headers: { authorization: `Bearer ${METRICS_TOKEN}` },
    });
    assert.equal(metrics.status, 200);
    await metrics.body?.cancel();

    await until(
      () => child.lines.some((l) => l.includes('"code":1006')),
      "the abrupt close to be logged",
    );
    child.kill("SIGTERM");
    assert.equal((await child.exited).code, 0);
    await until(() => child.lines.some((l) => l.includes("roomd stopped")), "the last line");
    const text = child.lines.join("\n");

    await t.step("no secret, metrics token or token used appears anywhere", () => {
      const tokens = { forged, expired, alice, bob, admin };
      for (const [name, value] of Object.entries({ SECRET, METRICS_TOKEN, ...tokens })) {
        assert.ok(!text.includes(value), `${name} appears in the logs`);
      }
      for (const [name, token] of Object.entries(tokens)) {
        assert.ok(!text.includes(token.split(".")[2]), `the signature of ${name} appears`);
      }
    });

    const lines: Line[] = child.lines.filter((l) => l.trim() !== "").map((l) => JSON.parse(l));
    await t.step("every line is one JSON object with level, @timestamp and message", () => {
      assert.ok(lines.length > 5);
      for (const line of lines) {
        assert.ok(typeof line === "object" && line !== null && !Array.isArray(line));
        assert.ok(["DEBUG", "INFO", "WARN", "ERROR", "FATAL"].includes(line.level), line.level);
        assert.ok(!Number.isNaN(Date.parse(line["@timestamp"])), JSON.stringify(line));
        assert.equal(typeof line.message, "string");
        assert.ok(line.message.length > 0);
      }
    });
    await t.step("each refused token is logged once, at info, with its reason and address", () => {
      const refusals = lines.filter((l) => l.message.startsWith("Refused connection"));
      assert.equal(refusals.length, 2);
      assert.deepEqual(refusals.map((l) => [l.level, l.status, l.code, l.ip]), [
        ["INFO", 401, "unauthorized", "127.0.0.1"],
        ["INFO", 401, "unauthorized", "127.0.0.1"],
      ]);
      assert.deepEqual(refusals.map((l) => l.reason), [
        "Cannot connect: invalid signature",
        "Cannot connect: token expired",
      ]);
    });
    await t.step("the 1009 close is logged once, as a warning with its reason", () => {
      const closes = lines.filter((l) => l.code === 1009);
      assert.equal(closes.length, 1);
      assert.equal(closes[0].level, "WARN");
      assert.equal(closes[0].reason, "message too large");
      assert.equal(closes[0].user, "alice");
    });
    await t.step("the dropped connection (1006) is logged once, at info", () => {
      const closes = lines.filter((l) => l.code === 1006);
      assert.equal(closes.length, 1);
      assert.equal(closes[0].level, "INFO");
      assert.equal(closes[0].user, "bob");
    });
    await t.step("every connection line carries conn, room, user and ip", () => {
      const connectionLines = lines.filter((l) => l.conn !== undefined);
      assert.ok(connectionLines.length >= 4);
      for (const line of connectionLines) {
        assert.match(line.conn, /^[0-9a-f-]{36}$/);
        assert.equal(line.room, "lobby");
        assert.ok(["alice", "bob"].includes(line.user), line.user);
        assert.equal(line.ip, "127.0.0.1");
      }
    });
  } finally {
    await stopChild(child);
    await Deno.remove(dataDir, { recursive: true });
  }
});
