import assert from "assert";
import {
  type ClusterOptions,
  parseClusterArgs,
  parseConfig,
  roundOrder,
} from "../../bench/_cluster_args.ts";

function options(args: string[]): ClusterOptions {
  const r = parseClusterArgs(args);
  if (!r.ok) throw new Error(r.error);
  return r.options;
}

Deno.test("parseClusterArgs() measures sqlite-1, redis-1 and redis-2 over 3 rounds of 10 s by default", () => {
  const o = options([]);
  assert.deepEqual(o.configs.map((c) => c.name), ["sqlite-1", "redis-1", "redis-2"]);
  assert.deepEqual(
    [o.rounds, o.seconds, o.maxRate, o.aof, o.json, o.quietWaitSeconds, o.maxRateMembers],
    [3, 10, false, false, false, 20, 20],
  );
});

Deno.test("parseClusterArgs() ramps redis-1 and redis-2 by default with --max-rate", () => {
  const o = options(["--max-rate", "--max-rate-members", "50"]);
  assert.deepEqual(o.configs.map((c) => c.name), ["redis-1", "redis-2"]);
  assert.equal(o.maxRate, true);
  assert.equal(o.maxRateMembers, 50);
});

Deno.test("parseClusterArgs() reads every option", () => {
  const o = options([
    "--configs=redis-3,sqlite-1",
    "--rounds=5",
    "--seconds=2.5",
    "--aof",
    "--quiet-wait=0",
    "--json",
  ]);
  assert.deepEqual(o.configs, [
    { name: "redis-3", redis: true, nodes: 3 },
    { name: "sqlite-1", redis: false, nodes: 1 },
  ]);
  assert.deepEqual([o.rounds, o.seconds, o.aof, o.quietWaitSeconds, o.json], [
    5,
    2.5,
    true,
    0,
    true,
  ]);
});

Deno.test("parseClusterArgs() refuses bad values with one line naming the option", async (t) => {
  const cases: [string[], RegExp][] = [
    [["--configs", "sqlite-2"], /^Invalid --configs=sqlite-2: expected distinct names/],
    [["--configs", "redis-1,redis-1"], /^Invalid --configs=redis-1,redis-1/],
    [["--configs", "redis-9"], /^Invalid --configs=redis-9/],
    [["--rounds", "0"], /^Invalid --rounds=0: expected an integer from 1 to 100$/],
    [["--rounds", "1.5"], /^Invalid --rounds=1.5/],
    [["--seconds=-1"], /^Invalid --seconds=-1: expected a positive number$/],
    [["--seconds", "0"], /^Invalid --seconds=0: expected a positive number$/],
    [["--max-rate-members", "1"], /^Invalid --max-rate-members=1: expected an integer from 2/],
    [["--quiet-wait", "x"], /^Invalid --quiet-wait=x: expected seconds, 0 or more$/],
    [["--bogus"], /^Invalid arguments: .*bogus/],
  ];
  for (const [args, pattern] of cases) {
    await t.step(args.join(" "), () => {
      const r = parseClusterArgs(args);
      assert.ok(!r.ok, `expected ${args.join(" ")} to be refused`);
      assert.match(r.error, pattern);
    });
  }
});

Deno.test("parseConfig() knows one SQLite node and one to eight Redis nodes", () => {
  assert.deepEqual(parseConfig("sqlite-1"), { name: "sqlite-1", redis: false, nodes: 1 });
  assert.deepEqual(parseConfig("redis-8"), { name: "redis-8", redis: true, nodes: 8 });
  for (const name of ["redis-0", "redis-10", "sqlite", "", "REDIS-1"]) {
    assert.equal(parseConfig(name), null, name);
  }
});

Deno.test("roundOrder() alternates the order of configurations from round to round", () => {
  const configs = ["sqlite-1", "redis-1", "redis-2"];
  assert.deepEqual(roundOrder(configs, 1), configs);
  assert.deepEqual(roundOrder(configs, 2), ["redis-2", "redis-1", "sqlite-1"]);
  assert.deepEqual(roundOrder(configs, 3), configs);
  assert.deepEqual(configs, ["sqlite-1", "redis-1", "redis-2"]);
});
