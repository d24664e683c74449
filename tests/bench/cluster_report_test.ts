import assert from "assert";
import { parseClusterArgs } from "../../bench/_cluster_args.ts";
import {
  clusterScenario,
  type ConfigFigures,
  configFigures,
  cpuPart,
  figuresByConfig,
  formatTargets,
  heldRate,
  verdict,
} from "../../bench/_cluster_report.ts";
import type { LoadResult, WindowResult } from "../../bench/_result.ts";
import { scenario } from "../../bench/_scenarios.ts";

function window(over: Partial<WindowResult> & { p50?: number; p99?: number }): WindowResult {
  const { p50 = 2, p99 = 10, ...rest } = over;
  return {
    rate: 50,
    seconds: 10,
    sent: 5000,
    plannedSent: 5000,
    expected: 495_000,
    plannedExpected: 495_000,
    delivered: 495_000,
    deliveredPerSec: 49_500,
    lossPct: 0,
    membersShort: 0,
    membersOver: 0,
    latencyMs: { count: 495_000, p50, p95: p99 / 2, p99, max: p99 * 2 },
    latencyHistogramUs: [],
    serverCpuSeconds: 4,
    serverCpuSecondsEach: [4],
    serverCpuPct: 40,
    serverCpuUsPerMsg: 8,
    serverRssPeakKb: 100_000,
    toolCpuSeconds: 6,
    toolCpuPct: 60,
    otherCpuPct: 5,
    ...rest,
  };
}

function result(extra: Partial<LoadResult>): LoadResult {
  return {
    mode: "fixed",
    url: "ws://127.0.0.1:1",
    rooms: 10,
    clientsPerRoom: 100,
    publishersPerRoom: 1,
    size: 100,
    connections: 1000,
    connectMs: { p50: 1, max: 5 },
    connectAllMs: 900,
    serverClosed: {},
    acks: 0,
    errors: 0,
    firstError: null,
    ...extra,
  };
}

const figures = (cpu: number, p99: number, loss = 0, over = 0): ConfigFigures => ({
  rounds: 3,
  publishRate: null,
  deliveredPerSec: 49_500,
  worstLossPct: loss,
  worstMembersShort: loss > 0 ? 1 : 0,
  worstMembersOver: over,
  p50Ms: 2,
  p99Ms: p99,
  cpuUsPerDelivery: cpu,
});

Deno.test("configFigures() takes medians across rounds and the worst round's loss", () => {
  const f = configFigures([
    result({ window: window({ serverCpuUsPerMsg: 9, p99: 12, lossPct: 0, membersOver: 2 }) }),
    result({ window: window({ serverCpuUsPerMsg: 7, p99: 30, lossPct: 0.5, membersShort: 3 }) }),
    result({ window: window({ serverCpuUsPerMsg: 8, p99: 11, lossPct: 0 }) }),
  ]);
  assert.deepEqual(f, {
    rounds: 3,
    publishRate: null,
    deliveredPerSec: 49_500,
    worstLossPct: 0.5,
    worstMembersShort: 3,
    worstMembersOver: 2,
    p50Ms: 2,
    p99Ms: 12,
    cpuUsPerDelivery: 8,
  });
});

Deno.test("configFigures() reads a ramp at its best step and reports the publish rate that held", () => {
  const steps = [window({ rate: 100 }), window({ rate: 150, p99: 20 }), window({ rate: 225 })];
  const ramp = (best: number | null) =>
    result({
      mode: "ramp",
      ramp: { steps, bestStep: best, saturationPerSec: null, stoppedBecause: "p99" },
    });
  assert.equal(heldRate(ramp(1)), 150);
  assert.equal(heldRate(ramp(null)), null);
  const f = configFigures([ramp(1), ramp(2), ramp(1)]);
  assert.equal(f.publishRate, 150);
  assert.equal(f.p99Ms, 20);
});

Deno.test("configFigures() counts a round without a window as total loss", () => {
  const none = result({
    mode: "ramp",
    ramp: { steps: [], bestStep: null, saturationPerSec: null, stoppedBecause: "x" },
  });
  const f = configFigures([none]);
  assert.deepEqual([f.worstLossPct, f.worstMembersShort], [100, 1000]);
});

Deno.test("verdict() judges redis-2 against sqlite-1: CPU ≤ ×1.5, p99 ≤ +5 ms, no loss anywhere", () => {
  const met = verdict({ "sqlite-1": figures(8, 10), "redis-2": figures(12, 15) });
  assert.deepEqual(met, { cpuRatio: 1.5, p99DiffMs: 5, cpuMet: true, p99Met: true, noLoss: true });
  const missed = verdict({
    "sqlite-1": figures(8, 10),
    "redis-1": figures(9, 10, 0.01),
    "redis-2": figures(12.8, 15.5),
  });
  assert.equal(missed.cpuRatio, 1.6);
  assert.equal(missed.p99DiffMs, 5.5);
  assert.deepEqual([missed.cpuMet, missed.p99Met, missed.noLoss], [false, false, false]);
  const duplicated = verdict({ "sqlite-1": figures(8, 10), "redis-2": figures(8, 10, 0, 1) });
  assert.equal(duplicated.noLoss, false);
});

Deno.test("verdict() has no ratios when redis-2 or sqlite-1 did not run", () => {
  const v = verdict({ "redis-1": figures(9, 10) });
  assert.deepEqual(v, {
    cpuRatio: null,
    p99DiffMs: null,
    cpuMet: false,
    p99Met: false,
    noLoss: true,
  });
});

Deno.test("formatTargets() prints the ratio, the p99 difference and the loss, each judged", () => {
  const text = formatTargets(
    figuresByConfig({
      "sqlite-1": [result({ window: window({ serverCpuUsPerMsg: 8, p99: 10 }) })],
      "redis-2": [result({ window: window({ serverCpuUsPerMsg: 14, p99: 12.5 }) })],
    }),
    "no persistence",
  ).join("\n");
  assert.match(text, /redis-server, no persistence, in the redis configurations/);
  assert.match(text, /sqlite-1 0\.00% \(0 \/ 0\), redis-2 0\.00% \(0 \/ 0\) — target 0: met/);
  assert.match(text, /14\.00 \/ 8\.00 µs = ×1\.75 — target ≤ ×1\.5: NOT met/);
  assert.match(text, /12\.50 − 10\.00 ms = \+2\.50 ms — target ≤ \+5 ms: met/);
});

Deno.test("clusterScenario() runs bench:compare's fan-out, or a ramp of one room with --max-rate", () => {
  const parsed = (args: string[]) => {
    const r = parseClusterArgs(args);
    if (!r.ok) throw new Error(r.error);
    return r.options;
  };
  const fanout = clusterScenario(parsed(["--seconds", "7"]));
  assert.deepEqual(fanout.runs[0].args, scenario("fanout", 7).runs[0].args);
  assert.equal(fanout.runs[0].processes, undefined, "the cluster tool runs one load process");
  assert.doesNotMatch(fanout.description, /load processes/);
  assert.deepEqual(
    fanout.metrics.map((m) => m.label).filter((l) => l.includes("µs/msg")),
    ["server CPU µs/msg", "  of which roomd µs/msg", "  of which redis µs/msg"],
  );
  assert.equal(clusterScenario(parsed([])).metrics.length, fanout.metrics.length);
  assert.equal(scenario("fanout", 7).metrics.length, fanout.metrics.length - 2);
  const ramp = clusterScenario(parsed(["--max-rate", "--max-rate-members", "30"])).runs[0].args;
  const at = (flag: string) => ramp[ramp.indexOf(flag) + 1];
  assert.deepEqual([at("--mode"), at("--rooms"), at("--clients-per-room")], ["ramp", "1", "30"]);
});

Deno.test("cpuPart() splits CPU per delivery into the nodes' and redis-server's", () => {
  const twoNodes = result({
    url: "ws://127.0.0.1:1,ws://127.0.0.1:2",
    window: window({ delivered: 500_000, serverCpuSecondsEach: [2, 2, 1] }),
  });
  assert.deepEqual([cpuPart(twoNodes, "roomd"), cpuPart(twoNodes, "redis")], [8, 2]);
  const sqlite = result({ window: window({ delivered: 500_000, serverCpuSecondsEach: [4] }) });
  assert.deepEqual([cpuPart(sqlite, "roomd"), cpuPart(sqlite, "redis")], [8, null]);
  const unreadable = result({ window: window({ serverCpuSecondsEach: [null] }) });
  assert.equal(cpuPart(unreadable, "roomd"), null);
});
