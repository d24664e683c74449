import assert from "assert";
import { mintToken } from "../../src/auth/mint.ts";
import { startChild, stopChild } from "../_helpers/child_server.ts";
import { openClient } from "../_helpers/client.ts";
import { TEST_SECRET } from "../_helpers/server.ts";
import { until } from "../_helpers/until.ts";

async function openFiles(pid: number): Promise<number> {
  let count = 0;
  for await (const _ of Deno.readDir(`/proc/${pid}/fd`)) count++;
  return count;
}

for (const transport of ["native", "ws"]) {
  Deno.test(`on the ${transport} transport a server out of descriptors keeps running and serves again once some are free`, async () => {
    const dataDir = await Deno.makeTempDir({ prefix: "roomd-emfile-" });
    const child = await startChild(
      { ROOMD_DATA_DIR: dataDir, ROOMD_TRANSPORT: transport, ROOMD_LOG_LEVEL: "info" },
      15_000,
      [],
      ["prlimit", "--nofile=128:128"],
    );
    const conns: Deno.Conn[] = [];
    try {
      const listening = child.lines.find((line) => line.includes("listening on"));
      assert.equal(JSON.parse(listening!).maxConnections, 96, "128 less a quarter");
      for (let i = 0; i < 200; i++) {
        try {
          conns.push(await Deno.connect({ hostname: "127.0.0.1", port: child.port }));
        } catch {
          break; // the native listener ended: refused
        }
      }
      await until(
        async () => await openFiles(child.pid) >= 127,
        "the server's descriptors to run out",
      );
      for (const conn of conns.splice(0)) conn.close();
      await until(
        async () => {
          try {
            const health = await fetch(`${child.origin}/healthz`, {
              signal: AbortSignal.timeout(2000),
            });
            await health.body?.cancel();
            return health.status === 200;
          } catch {
            return false; // not accepting yet
          }
        },
        "a new connection to be served",
        20_000,
      );
      const token = await mintToken(TEST_SECRET, { sub: "after" }, "1h");
      const client = await openClient(`ws://127.0.0.1:${child.port}/ws/after?token=${token}`, {
        Origin: child.origin,
      });
      await client.nextOfType("system");
      await client.close();
      const exited = await Promise.race([child.exited.then(() => true), Promise.resolve(false)]);
      assert.equal(exited, false, "the server exited");
    } finally {
      for (const conn of conns) conn.close();
      await stopChild(child);
      await Deno.remove(dataDir, { recursive: true });
    }
  });
}
