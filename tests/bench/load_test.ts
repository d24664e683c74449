import assert from "assert";
import { parseLoadArgs } from "../../bench/_args.ts";
import { startServer } from "../../bench/_child.ts";
import { heapReadingPath } from "../../bench/_heap_reading.ts";
import { runLoad } from "../../bench/_modes.ts";

async function withBaseline(
  fn: (url: string, pid: number) => Promise<void>,
  gcOnSignal = false,
): Promise<void> {
  const args = ["run", "-A", "bench/baseline_server.ts"];
  const server = await startServer("baseline", args, {}, gcOnSignal);
  if (typeof server === "string") throw new Error(server);
  try {
    await fn(server.url, server.pid);
  } finally {
    await server.stop();
  }
}

async function load(args: string[]) {
  const parsed = parseLoadArgs(args, {});
  if (!parsed.ok) throw new Error(parsed.error);
  const result = await runLoad(parsed.options);
  if (typeof result === "string") throw new Error(result);
  return result;
}

Deno.test("load tool counts every delivery through the baseline server", async () => {
  await withBaseline(async (url, pid) => {
    const r = await load([
      `--url=${url}`,
      `--pid=${pid}`,
      "--rooms=2",
      "--clients-per-room=4",
      "--publishers-per-room=2",
      "--rate=20",
      "--seconds=1",
      "--warmup=0.2",
      "--size=64",
    ]);
    const w = r.window!;
    assert.equal(r.connections, 8);
    assert.ok(w.sent > 0);
    assert.equal(w.expected, w.sent * 3);
    assert.equal(w.plannedExpected, 2 * 2 * 20 * 1 * 3);
    assert.equal(w.delivered, w.expected);
    assert.equal(w.lossPct, 0);
    assert.deepEqual([w.membersShort, w.membersOver], [0, 0]);
    assert.equal(w.latencyMs.count, w.delivered);
    assert.ok(w.latencyMs.p50 <= w.latencyMs.p99 && w.latencyMs.p99 <= w.latencyMs.max);
    assert.ok(w.serverCpuSeconds !== null && w.serverRssPeakKb !== null);
    assert.equal(r.acks, 0);
    assert.deepEqual(r.serverClosed, {});
  });
});

Deno.test("load tool's slow mode upgrades raw clients that never read", async () => {
  await withBaseline(async (url, pid) => {
    const r = await load([
      `--url=${url}`,
      `--pid=${pid}`,
      "--mode=slow",
      "--rooms=2",
      "--clients-per-room=3",
      "--slow-clients=2",
      "--rate=10",
      "--seconds=0.5",
      "--warmup=0",
    ]);
    assert.equal(r.slow!.clients, 4);
    assert.equal(r.slow!.upgraded, 4);
    assert.equal(r.window!.delivered, r.window!.expected);
  });
});

Deno.test("load tool's idle mode reports memory per connection", async () => {
  await withBaseline(async (url, pid) => {
    const r = await load([`--url=${url}`, `--pid=${pid}`, "--mode=idle", "--rooms=2"]);
    assert.equal(r.idle!.connections, 20);
    assert.ok(r.idle!.rssAfterKb > 0 && r.idle!.rssBeforeKb > 0);
    assert.ok(Number.isFinite(r.idle!.kbPerConnection));
    assert.equal(r.idle!.added, null, "no added clients without a collection to read them by");
    assert.equal(r.idle!.heapKbPerConnectionAfterGc, null, "no heap reading without a collection");
    assert.equal(r.idle!.kbPerConnectionAfterTrim, null, "no trimmed figure without a collection");
  });
});

Deno.test("load tool's idle mode with --gc-signal reads what half as many clients again add", async () => {
  await withBaseline(async (url, pid) => {
    const r = await load([
      `--url=${url}`,
      `--pid=${pid}`,
      "--mode=idle",
      "--rooms=2",
      "--gc-signal",
    ]);
    assert.equal(r.idle!.connections, 20);
    assert.ok(r.idle!.rssAfterGcKb! > 0 && r.idle!.rssAfterTrimKb! > 0);
    const added = r.idle!.added!;
    assert.equal(added.connections, 10);
    assert.ok(added.rssAfterTrimKb > 0);
    const slope = (added.rssAfterTrimKb - r.idle!.rssAfterTrimKb!) / added.connections;
    assert.equal(added.kbPerConnectionAfterTrim, slope);
    assert.ok(r.idle!.heapKbPerConnectionAfterGc! > 0, "each open socket holds some heap");
    assert.ok(Number.isFinite(added.heapKbPerConnectionAfterGc));
    assert.throws(() => Deno.statSync(heapReadingPath(pid)), Deno.errors.NotFound);
  }, true);
});

Deno.test("load tool's ramp raises the rate by half each step", async () => {
  await withBaseline(async (url, pid) => {
    const r = await load([
      `--url=${url}`,
      `--pid=${pid}`,
      "--mode=ramp",
      "--clients-per-room=3",
      "--rate=10",
      "--step-seconds=0.5",
      "--max-steps=3",
      "--warmup=0",
    ]);
    assert.deepEqual(r.ramp!.steps.map((s) => s.rate), [10, 15, 22.5]);
    assert.equal(r.ramp!.stoppedBecause, "reached --max-steps=3 without saturating");
    assert.equal(r.ramp!.bestStep, 2);
  });
});

Deno.test("load tool refuses to run when clients cannot connect", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  const parsed = parseLoadArgs([`--url=ws://127.0.0.1:${port}`, "--clients-per-room=2"], {});
  assert.ok(parsed.ok);
  const result = await runLoad(parsed.options);
  assert.equal(typeof result, "string");
  assert.match(result as string, /^Cannot run the load: 2 of 2 connections failed/);
});

Deno.test("load tool spreads each room's clients over several servers and adds up their CPU", async () => {
  await withBaseline(async (urlA, pidA) => {
    await withBaseline(async (urlB, pidB) => {
      const r = await load([
        `--url=${urlA},${urlB}`,
        `--pid=${pidA},${pidB}`,
        "--rooms=2",
        "--clients-per-room=4",
        "--rate=20",
        "--seconds=1",
        "--warmup=0.2",
      ]);
      const w = r.window!;
      assert.equal(r.url, `${urlA},${urlB}`);
      assert.equal(r.connections, 8);
      // The baseline relays within its own process: of each publisher's 3 room-mates, only the
      // one on its node gets its messages.
      assert.ok(w.sent > 0);
      assert.equal(w.delivered, w.sent);
      assert.equal(w.expected, w.sent * 3);
      assert.deepEqual([w.membersShort, w.membersOver], [4, 0]);
      assert.ok(w.serverCpuSeconds !== null && w.serverRssPeakKb !== null);
    });
  });
});
