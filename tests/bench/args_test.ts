import assert from "assert";
import { type LoadOptions, parseLoadArgs } from "../../bench/_args.ts";

function options(args: string[], env: Record<string, string> = {}): LoadOptions {
  const r = parseLoadArgs(args, env);
  if (!r.ok) throw new Error(r.error);
  return r.options;
}

function error(args: string[], env: Record<string, string> = {}): string {
  const r = parseLoadArgs(args, env);
  assert.ok(!r.ok, `expected ${args.join(" ")} to be refused`);
  return r.error;
}

Deno.test("parseLoadArgs() fills in the defaults", () => {
  const o = options([]);
  assert.deepEqual(o.urls, ["ws://127.0.0.1:8080"]);
  assert.equal(o.mode, "fixed");
  assert.deepEqual(
    [o.rooms, o.clientsPerRoom, o.publishersPerRoom, o.rate, o.seconds, o.size],
    [1, 10, 1, 10, 10, 100],
  );
  assert.deepEqual(o.pids, []);
  assert.equal(o.secret, null);
  assert.equal(o.json, false);
});

Deno.test("parseLoadArgs() reads every option", () => {
  const o = options([
    "--url=ws://localhost:9000/",
    "--rooms=10",
    "--clients-per-room=100",
    "--publishers-per-room=2",
    "--rate=12.5",
    "--seconds=3",
    "--size=200",
    "--mode=slow",
    "--pid=77",
    "--slow-clients=3",
    "--warmup=0",
    "--json",
  ]);
  assert.deepEqual(o.urls, ["ws://localhost:9000"]);
  assert.deepEqual(
    [o.rooms, o.clientsPerRoom, o.publishersPerRoom, o.rate, o.seconds, o.size],
    [10, 100, 2, 12.5, 3, 200],
  );
  assert.deepEqual([o.mode, o.pids, o.slowClients, o.warmupSeconds, o.json], [
    "slow",
    [77],
    3,
    0,
    true,
  ]);
});

Deno.test("parseLoadArgs() takes the secret from ROOMD_JWT_SECRET unless --secret is given", () => {
  const env = { ROOMD_JWT_SECRET: "from-the-environment" };
  assert.equal(options([], env).secret, "from-the-environment");
  assert.equal(options(["--secret", "from-the-flag"], env).secret, "from-the-flag");
  assert.equal(options([], { ROOMD_JWT_SECRET: "" }).secret, null);
});

Deno.test("parseLoadArgs() refuses bad values with one line naming the option", async (t) => {
  const cases: [string[], RegExp][] = [
    [
      ["--mode", "burst"],
      /^Invalid --mode=burst: expected one of fixed, ramp, idle, slow, connect/,
    ],
    [["--rooms", "0"], /^Invalid --rooms=0: expected an integer from 1/],
    [["--rate=-1"], /^Invalid --rate=-1: expected a positive number$/],
    [["--size", "5"], /^Invalid --size=5: expected an integer from 14 to 4000$/],
    [["--url", "http://x:1"], /^Invalid --url=http:\/\/x:1: expected ws:\/\/HOST:PORT$/],
    [["--clients-per-room", "1"], /needs a receiver besides the publisher/],
    [["--publishers-per-room", "3", "--clients-per-room", "2"], /more than the 2 clients/],
    [["--mode", "ramp", "--rooms", "3"], /^Invalid --rooms=3: ramp mode uses 1 room$/],
    [["--mode", "idle"], /--pid is required/],
    [["--pid", "12,x"], /^Invalid --pid=12,x: expected process ids, comma-separated$/],
    [["--url", "ws://a:1,http://b:2"], /^Invalid --url=ws:\/\/a:1,http:\/\/b:2: expected/],
    [["--bogus"], /^Invalid arguments: .*bogus/],
  ];
  for (const [args, pattern] of cases) {
    await t.step(args.join(" "), () => assert.match(error(args), pattern));
  }
});

Deno.test("parseLoadArgs() lets idle mode run without publishers", () => {
  const o = options(["--mode", "idle", "--pid", "1", "--publishers-per-room", "0"]);
  assert.equal(o.publishersPerRoom, 0);
});

Deno.test("parseLoadArgs() reads the nodes of a cluster and every pid to add up", () => {
  const o = options(["--url", "ws://127.0.0.1:1/,ws://127.0.0.1:2", "--pid", "10,11,12"]);
  assert.deepEqual(o.urls, ["ws://127.0.0.1:1", "ws://127.0.0.1:2"]);
  assert.deepEqual(o.pids, [10, 11, 12]);
});
