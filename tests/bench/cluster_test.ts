import assert from "assert";
import { parseClusterArgs } from "../../bench/_cluster_args.ts";
import { parseRedisPid } from "../../bench/_cluster_nodes.ts";
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
