import assert from "assert";
import { mergeLoadResults, splitRooms } from "../../bench/_merge.ts";
import type { LoadResult, WindowResult } from "../../bench/_result.ts";
import { latencyHistogram } from "../../bench/_stats.ts";

function part(latencyUs: number[], over: Partial<WindowResult>): LoadResult {
  const samples = Float64Array.from(latencyUs);
  const window: WindowResult = {
    rate: 50,
    seconds: 10,
    sent: 2500,
    plannedSent: 2500,
    expected: 247_500,
    plannedExpected: 247_500,
    delivered: 247_500,
    deliveredPerSec: 24_750,
    lossPct: 0,
    membersShort: 0,
    membersOver: 0,
    latencyMs: { count: samples.length, p50: 0, p95: 0, p99: 0, max: 0 },
    latencyHistogramUs: latencyHistogram(samples, samples.length),
    serverCpuSeconds: 4,
    serverCpuSecondsEach: [4],
    serverCpuPct: 40,
    serverCpuUsPerMsg: 16,
    serverRssPeakKb: 100_000,
    toolCpuSeconds: 2.5,
    toolCpuPct: 25,
    otherCpuPct: 30,
    ...over,
  };
  return {
    mode: "fixed",
    url: "ws://127.0.0.1:1",
    rooms: 5,
    clientsPerRoom: 100,
    publishersPerRoom: 1,
    size: 100,
    connections: 500,
    connectMs: { p50: 1, max: 5 },
    connectAllMs: 300,
    serverClosed: { "4408": 1 },
    acks: 2500,
    errors: 0,
    firstError: null,
    window,
  };
}

Deno.test("two load processes of one server merge into one result of the whole load", () => {
  const merged = mergeLoadResults([
    part([1000, 1000, 3000], {
      delivered: 247_000,
      serverCpuSeconds: 4.2,
      serverRssPeakKb: 90_000,
    }),
    part([2000, 9000], { serverCpuSeconds: 3.8 }),
  ]);
  assert.equal(merged.rooms, 10);
  assert.equal(merged.connections, 1000);
  assert.deepEqual(merged.serverClosed, { "4408": 2 });
  assert.equal(merged.acks, 5000);
  const w = merged.window!;
  assert.equal(w.delivered, 494_500);
  assert.equal(w.expected, 495_000);
  assert.ok(Math.abs(w.lossPct - 0.101) < 0.001);
  assert.deepEqual(w.latencyMs, { count: 5, p50: 2, p95: 9, p99: 9, max: 9 });
  // The server's CPU is read by both over the same seconds: averaged, then per delivery.
  assert.equal(w.serverCpuSeconds, 4);
  assert.ok(Math.abs(w.serverCpuUsPerMsg! - 4e6 / 494_500) < 1e-9);
  assert.equal(w.serverRssPeakKb, 100_000);
  assert.equal(w.toolCpuPct, 50);
  assert.equal(w.otherCpuPct, 5, "each process counted the other's 25% as other CPU");
});

Deno.test("a single load process's result is kept as it is, and no result is refused", () => {
  const one = part([1000], {});
  assert.equal(mergeLoadResults([one]), one);
  assert.throws(() => mergeLoadResults([]), TypeError);
  assert.throws(() => mergeLoadResults([one, { ...one, window: undefined }]), /has no window/);
});

Deno.test("splitRooms gives each load process its share of the rooms, evenly or not at all", () => {
  assert.deepEqual(splitRooms(["--rooms", "10", "--rate", "50"], 2), [
    "--rooms",
    "5",
    "--rate",
    "50",
  ]);
  assert.throws(() => splitRooms(["--rooms", "10"], 3), /Cannot split 10 rooms over 3/);
  assert.throws(() => splitRooms(["--rate", "50"], 2), /Cannot split 1 rooms over 2/);
});
