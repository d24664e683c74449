/**
 * A full disk (issue 11, item 3): publishes get `unavailable`, nobody receives them, `/readyz`
 * is 503, connections stay open; once space is freed the server is ready again without
 * traffic and publishing works, with the next consecutive id.
 *
 * The disk is a 2 MiB tmpfs under a child server when this process may mount one (root);
 * otherwise an in-process server over a store that fails on demand. The test name says which.
 *
 * @module
 */
import assert from "assert";
import { mintToken } from "../../src/auth/mint.ts";
import { failingStore } from "../_fakes/failing_store.ts";
import { type ChildServer, startChild, stopChild } from "../_helpers/child_server.ts";
import { openClient, type TestClient } from "../_helpers/client.ts";
import { startServer, TEST_SECRET } from "../_helpers/server.ts";

/** A server whose disk can be filled and freed. */
interface FullDiskRig {
  origin: string;
  port: number;
  /** Makes writes fail: fills the disk. */
  fill(): Promise<void>;
  /** Frees the space again. */
  free(): Promise<void>;
  /** The server's log lines so far. */
  logs(): string[];
  stop(): Promise<void>;
}

function run(command: string, args: string[]): boolean {
  try {
    return new Deno.Command(command, { args, stdout: "null", stderr: "null" }).outputSync()
      .success;
  } catch {
    return false;
  }
}

/** Whether a tmpfs can be mounted here: tried once on a scratch directory. */
function canMountTmpfs(): boolean {
  const dir = Deno.makeTempDirSync({ prefix: "roomd-mount-probe-" });
  try {
    if (!run("mount", ["-t", "tmpfs", "-o", "size=64k", "tmpfs", dir])) return false;
    run("umount", [dir]);
    return true;
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
}

async function tmpfsRig(): Promise<FullDiskRig> {
  const dir = await Deno.makeTempDir({ prefix: "roomd-full-disk-" });
  assert.ok(run("mount", ["-t", "tmpfs", "-o", "size=2m", "tmpfs", dir]), "mount tmpfs");
  let child: ChildServer;
  try {
    child = await startChild({
      ROOMD_DATA_DIR: dir,
      ROOMD_HISTORY_SIZE: "0",
      ROOMD_LOG_LEVEL: "info",
    });
  } catch (error) {
    run("umount", [dir]);
    await Deno.remove(dir, { recursive: true });
    throw error;
  }
  const filler = `${dir}/filler`;
  return {
    origin: child.origin,
    port: child.port,
    async fill() {
      const file = await Deno.open(filler, { create: true, write: true });
      const chunk = new Uint8Array(64 * 1024);
      try {
        for (let i = 0; i < 1024; i++) await file.write(chunk);
        throw new Error("the tmpfs never filled up");
      } catch (error) {
        if (!(error instanceof Error) || !/No space left/i.test(error.message)) throw error;
      } finally {
        file.close();
      }
    },
    free: () => Deno.remove(filler),
    logs: () => child.lines,
    async stop() {
      await stopChild(child);
      run("umount", [dir]);
      await Deno.remove(dir, { recursive: true });
    },
  };
}

async function failingStoreRig(): Promise<FullDiskRig> {
  let disk!: ReturnType<typeof failingStore>;
  const server = await startServer(
    { ROOMD_HISTORY_SIZE: "0" },
    {},
    (store) => (disk = failingStore(store)).store,
  );
  return {
    origin: server.origin,
    port: server.port,
    fill: () => Promise.resolve(void (disk.full = true)),
    free: () => Promise.resolve(void (disk.full = false)),
    logs: () => server.logs,
    stop: () => server.close(),
  };
}

async function connect(rig: FullDiskRig, user: string): Promise<TestClient> {
  const token = await mintToken(TEST_SECRET, { sub: user }, "1h");
  const client = await openClient(`ws://127.0.0.1:${rig.port}/ws/lobby?token=${token}`, {
    Origin: rig.origin,
  });
  await client.next((m) => m.type === "system" && m.data.event === "welcome");
  return client;
}

async function readiness(rig: FullDiskRig): Promise<{ status: number; reason?: string }> {
  const res = await fetch(`${rig.origin}/readyz`);
  const body = await res.json();
  return { status: res.status, reason: body.reason };
}

const MOUNTABLE = canMountTmpfs();
const HOW = MOUNTABLE
  ? "a 2 MiB tmpfs under a child server"
  : "a store that fails on demand (mounting a tmpfs is not allowed here)";

Deno.test(`a full disk answers unavailable, delivers nothing, turns /readyz 503, and recovers without traffic or restart (${HOW})`, async () => {
  const rig = MOUNTABLE ? await tmpfsRig() : await failingStoreRig();
  try {
    const ana = await connect(rig, "ana");
    const bo = await connect(rig, "bo");
    let closes = 0;
    for (const client of [ana, bo]) client.socket.addEventListener("close", () => closes++);
    ana.send({ type: "chat", data: { text: "before" }, ref: "b0" });
    assert.equal((await ana.next((m) => m.ref === "b0")).id, 1);
    assert.equal((await bo.nextOfType("chat")).id, 1);

    await rig.fill();
    const text = "x".repeat(3000); // several pages a message: no WAL space left to reuse
    for (let i = 0; i < 5; i++) ana.send({ type: "chat", data: { text }, ref: `f${i}` });
    for (let i = 0; i < 5; i++) {
      const answer = await ana.next((m) => m.ref === `f${i}`, 10_000);
      assert.equal(
        answer.type,
        "error",
        `publish ${i} during the fault: ${JSON.stringify(answer)}`,
      );
      assert.equal(answer.data.code, "unavailable");
    }
    const down = await readiness(rig);
    assert.equal(down.status, 503);
    assert.match(down.reason ?? "", /^store writes fail: /);

    await rig.free();
    let ready = await readiness(rig);
    for (let i = 0; i < 100 && ready.status !== 200; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      ready = await readiness(rig);
    }
    assert.equal(ready.status, 200, "ready again without any publish");

    ana.send({ type: "chat", data: { text: "after" }, ref: "a0" });
    assert.equal((await ana.next((m) => m.ref === "a0")).id, 2, "the failed publishes used no id");
    assert.equal((await bo.nextOfType("chat")).id, 2);
    const delivered = bo.received.filter((m) => m.type === "chat").map((m) => m.id);
    assert.deepEqual(delivered, [1, 2], "nothing that was not stored reached anyone");
    assert.equal(closes, 0, "no connection was closed");
    const logs = rig.logs().join("\n");
    assert.match(logs, /Cannot write messages/);
    assert.match(logs, /Writes succeed again/);
    await ana.close();
    await bo.close();
  } finally {
    await rig.stop();
  }
});

Deno.test("room changes that cannot be stored answer 503 unavailable and leave the room and its connections up", async () => {
  let disk!: ReturnType<typeof failingStore>;
  const server = await startServer({}, {}, (store) => (disk = failingStore(store)).store);
  try {
    const ana = await server.connect("lobby", "ana");
    await ana.nextOfType("system");
    disk.full = true;
    const admin = { sub: "root", admin: true };
    const patch = await server.request("/api/rooms/lobby", {
      method: "PATCH",
      body: JSON.stringify({ name: "Lobby" }),
      headers: { "content-type": "application/json" },
      user: admin,
    });
    assert.equal(patch.status, 503);
    assert.equal((await patch.json()).error.code, "unavailable");
    const removal = await server.request("/api/rooms/lobby", { method: "DELETE", user: admin });
    assert.equal(removal.status, 503);
    await removal.body?.cancel();
    disk.full = false;
    ana.send({ type: "chat", data: { text: "still here" }, ref: "s" });
    assert.equal((await ana.next((m) => m.ref === "s")).type, "ack");
    const room = await server.request("/api/rooms/lobby", { user: admin });
    assert.equal((await room.json()).name, "lobby");
    await ana.close();
  } finally {
    await server.close();
  }
});
