import assert from "assert";
import { join } from "node:path";
import { mintToken } from "../../src/auth/mint.ts";
import { type ChildServer, startChild, stopChild } from "../_helpers/child_server.ts";
import { openClient } from "../_helpers/client.ts";
import { startServer, TEST_SECRET } from "../_helpers/server.ts";
import { ADMIN } from "../http/_room_api.ts";

const ROOT = new URL("../../", import.meta.url).pathname;

/** Longest a child server may take to start, or to fail at start-up, before the test gives up. */
const CHILD_DEADLINE_MS = 20_000;

function childEnv(dataDir: string): Record<string, string> {
  return {
    PORT: "0",
    HOST: "127.0.0.1",
    ROOMD_DATA_DIR: dataDir,
    ROOMD_JWT_SECRET: TEST_SECRET,
    ROOMD_LOG_FORMAT: "json",
    ROOMD_ROOM_GRACE_MS: "20",
  };
}

async function api(port: number, method: string, path: string, body?: unknown) {
  const token = await mintToken(TEST_SECRET, ADMIN, "1h");
  const res = await fetch(`http://127.0.0.1:${port}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

/** Runs `main.ts` expecting it to fail at start-up; returns its exit code and output lines. */
async function runFailing(env: Record<string, string>) {
  const process = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "main.ts"],
    cwd: ROOT,
    env,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const guard = setTimeout(() => process.kill("SIGKILL"), CHILD_DEADLINE_MS);
  try {
    const output = await process.output();
    const lines = (bytes: Uint8Array) =>
      new TextDecoder().decode(bytes).split("\n").filter((line) => line.trim() !== "");
    return { code: output.code, stdout: lines(output.stdout), stderr: lines(output.stderr) };
  } finally {
    clearTimeout(guard);
  }
}

const ALPHA = {
  id: "alpha",
  name: "Alpha",
  max_clients: 7,
  is_private: true,
  members: ["ann", "bob"],
  metadata: { topic: "launch", tags: ["a", "b"] },
};

Deno.test("rooms survive kill -9 of a child server and a start on the same data dir", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "roomd-kill9-" });
  let first: ChildServer | undefined;
  let second: ChildServer | undefined;
  try {
    first = await startChild(childEnv(dataDir), CHILD_DEADLINE_MS);
    assert.equal((await api(first.port, "POST", "/api/rooms", ALPHA)).status, 201);
    assert.equal(
      (await api(first.port, "POST", "/api/rooms", { id: "beta", ttl_s: 3600 })).status,
      201,
    );
    const token = await mintToken(TEST_SECRET, { sub: "ann" }, "1h");
    const client = await openClient(
      `ws://127.0.0.1:${first.port}/ws/gamma?token=${token}`,
      { Origin: `http://127.0.0.1:${first.port}` },
    );
    await client.nextOfType("system");
    client.send({ type: "chat", data: { text: "before the crash" }, ref: "r1" });
    assert.equal((await client.nextOfType("ack")).id, 1);

    first.kill("SIGKILL");
    const killed = await first.exited;
    assert.equal(killed.signal, "SIGKILL");
    assert.notEqual(
      (await client.waitClosed()).code,
      1000,
      "the socket dies without a close frame",
    );

    second = await startChild(childEnv(dataDir), CHILD_DEADLINE_MS);
    const list = await api(second.port, "GET", "/api/rooms");
    assert.equal(list.status, 200);
    assert.deepEqual(list.body.rooms.map((r: { id: string }) => r.id), ["alpha", "beta", "gamma"]);
    const alpha = await api(second.port, "GET", "/api/rooms/alpha");
    for (const [key, value] of Object.entries(ALPHA)) assert.deepEqual(alpha.body[key], value, key);
    assert.equal(alpha.body.created_by, "admin");
    assert.equal(list.body.rooms[1].ttl_s, 3600);
    assert.equal(list.body.rooms[2].origin, "auto");

    const again = await openClient(
      `ws://127.0.0.1:${second.port}/ws/gamma?token=${token}&since=0`,
      { Origin: `http://127.0.0.1:${second.port}` },
    );
    assert.equal((await again.nextOfType("system")).data.last_id, 1);
    assert.deepEqual((await again.nextOfType("chat")).data, { text: "before the crash" });
    await again.close();
  } finally {
    if (first) await stopChild(first);
    if (second) await stopChild(second);
    await Deno.remove(dataDir, { recursive: true });
  }
});

Deno.test("rooms survive a clean restart of the in-process server", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "roomd-restart-" });
  try {
    const before = await startServer({ ROOMD_DATA_DIR: dataDir });
    const created = await before.request("/api/rooms", {
      method: "POST",
      user: ADMIN,
      body: JSON.stringify(ALPHA),
    });
    assert.equal(created.status, 201);
    const createdRoom = await created.json();
    await before.close();

    const after = await startServer({ ROOMD_DATA_DIR: dataDir });
    try {
      const res = await after.request("/api/rooms/alpha", { user: ADMIN });
      assert.equal(res.status, 200);
      assert.deepEqual(await res.json(), createdRoom);
    } finally {
      await after.close();
    }
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});

Deno.test("a corrupted database stops start-up with one clear line and exit code 1", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "roomd-corrupt-" });
  try {
    const garbage = new Uint8Array(8192).map((_, i) => (i * 131 + 7) % 251);
    await Deno.writeFile(join(dataDir, "roomd.db"), garbage);
    const result = await runFailing(childEnv(dataDir));
    assert.equal(result.code, 1);
    assert.deepEqual(result.stdout, []);
    assert.equal(result.stderr.length, 1, result.stderr.join("\n"));
    assert.match(
      result.stderr[0],
      /^roomd: Cannot open database .*roomd\.db: file is not a database$/,
    );
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});

Deno.test("a data dir that is a regular file stops start-up with one clear line and exit code 1", async () => {
  const file = await Deno.makeTempFile({ prefix: "roomd-not-a-dir-" });
  try {
    const result = await runFailing(childEnv(file));
    assert.equal(result.code, 1);
    assert.deepEqual(result.stdout, []);
    assert.equal(result.stderr.length, 1, result.stderr.join("\n"));
    assert.ok(
      result.stderr[0].startsWith(`roomd: Cannot create data directory ${file}: `),
      result.stderr[0],
    );
    assert.ok(!result.stderr[0].includes("    at "), "no stack trace");
  } finally {
    await Deno.remove(file);
  }
});
