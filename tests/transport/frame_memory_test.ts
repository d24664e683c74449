import assert from "assert";
import { mintToken } from "../../src/auth/mint.ts";
import { startChild, stopChild } from "../_helpers/child_server.ts";
import { frameHeader, rawWebSocket, readCloseCode } from "../_helpers/raw_socket.ts";
import { TEST_SECRET } from "../_helpers/server.ts";

/** A field of /proc/PID/status in bytes (VmRSS: resident now, VmHWM: resident at its peak). */
async function memoryOf(pid: number, field: "VmRSS" | "VmHWM"): Promise<number> {
  const status = await Deno.readTextFile(`/proc/${pid}/status`);
  const kb = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1];
  assert.ok(kb, `no ${field} in /proc/${pid}/status`);
  return Number(kb) * 1024;
}

const MIB = 1024 * 1024;

Deno.test("on the ws transport 20 users sending one 16 MiB frame each are closed with 1009 and the server's resident memory rises by well under 256 MB", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "roomd-frames-" });
  const child = await startChild({ ROOMD_DATA_DIR: dataDir, ROOMD_TRANSPORT: "ws" });
  try {
    const sockets = await Promise.all(Array.from({ length: 20 }, async (_, i) => {
      const token = await mintToken(TEST_SECRET, { sub: `big${i}` }, "1h");
      return rawWebSocket(child.port, child.origin, `/ws/frames?token=${token}`);
    }));
    const before = await memoryOf(child.pid, "VmRSS");
    // Each client sends its frame in 64 KiB writes while reading; the server's close frame
    // (or the end of the connection) stops it.
    const payload = new Uint8Array(64 * 1024).fill(0x78);
    const codes = await Promise.all(sockets.map(async (socket) => {
      const code = readCloseCode(socket);
      let stop = false;
      code.then(() => stop = true);
      try {
        await socket.conn.write(frameHeader(16 * MIB));
        for (let sent = 0; sent < 16 * MIB && !stop; sent += payload.length) {
          await socket.conn.write(payload);
        }
      } catch { /* the server ended the connection */ }
      const result = await code;
      socket.conn.close();
      return result;
    }));
    assert.deepEqual(codes, Array(20).fill(1009));
    const rise = (await memoryOf(child.pid, "VmHWM")) - before;
    console.log(`resident memory rose by at most ${(rise / MIB).toFixed(1)} MiB`);
    assert.ok(rise < 128 * MIB, `resident memory rose by ${(rise / MIB).toFixed(1)} MiB`);
    const health = await fetch(`${child.origin}/healthz`);
    assert.equal(health.status, 200);
    await health.body?.cancel();
  } finally {
    await stopChild(child);
    await Deno.remove(dataDir, { recursive: true });
  }
});
