import assert from "assert";
import { parseClusterArgs } from "../../bench/_cluster_args.ts";
import { parseRedisPid, startCluster } from "../../bench/_cluster_nodes.ts";
import { REDIS_IGNORE } from "../_helpers/redis_server.ts";
import { formatCluster, measureCluster } from "../../bench/cluster.ts";

Deno.test("parseRedisPid() reads process_id from INFO server and null without it", () => {
  const info = "# Server\r\nredis_version:7.0.15\r\nprocess_id:4242\r\nprocess_supervised:no\r\n";
  assert.equal(parseRedisPid(info), 4242);
  assert.equal(parseRedisPid("# Server\r\nredis_version:7.0.15\r\n"), null);
});

Deno.test("bench:cluster measures the fan-out load on one SQLite node and reports its figures", async () => {
  const parsed = parseClusterArgs(["--configs=sqlite-1", "--rounds=1", "--seconds=0.5"]
    .concat(["--quiet-wait=0"]));
  assert.ok(parsed.ok);
  const lines: string[] = [];
  const results = await measureCluster(parsed.options, (line) => lines.push(line));
  if (typeof results === "string") throw new Error(results);
  const [run] = results["sqlite-1"];
  assert.equal(run.connections, 1000);
  assert.ok(run.window!.sent > 0);
  assert.equal(run.window!.lossPct, 0);
  assert.ok(run.window!.serverCpuUsPerMsg! > 0);
  assert.match(lines.join("\n"), /^fixed round 1\/1 sqlite-1: connected in/m);
  const report = formatCluster(parsed.options, results);
  assert.match(report, /^delivered msg\/s\s+\d/m);
  assert.match(report, /loss, worst round .*: sqlite-1 0\.00% \(0 \/ 0\) — target 0: met/);
});

Deno.test({
  name: "startCluster() starts two ready nodes on their own redis-server and counts its CPU too",
  ignore: REDIS_IGNORE,
  fn: async () => {
    const cluster = await startCluster(
      { name: "redis-2", redis: true, nodes: 2 },
      "s".repeat(32),
      false,
    );
    if (typeof cluster === "string") throw new Error(cluster);
    const comm = (pid: number) => Deno.readTextFileSync(`/proc/${pid}/comm`).trim();
    try {
      assert.equal(cluster.urls.length, 2);
      assert.equal(cluster.pids.length, 3);
      assert.equal(comm(cluster.pids[2]), "redis-server");
      for (const url of cluster.urls) {
        const res = await fetch(`${url.replace(/^ws/, "http")}/readyz`);
        assert.equal(res.status, 200, await res.text());
      }
    } finally {
      await cluster.stop();
    }
    assert.throws(() => comm(cluster.pids[2]));
  },
});
