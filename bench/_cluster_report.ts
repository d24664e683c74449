/**
 * What `bench/cluster.ts` runs and reports: the fan-out load of `bench:compare` or a one-room
 * publish-rate ramp, medians per configuration across rounds, and the scale-out targets
 * (redis-2 against sqlite-1: CPU per delivery ≤ ×1.5, p99 ≤ +5 ms, no loss).
 *
 * @module
 */
import type { ClusterOptions } from "./_cluster_args.ts";
import { ratio } from "./_compare_table.ts";
import { num } from "./_report.ts";
import type { LoadResult, WindowResult } from "./_result.ts";
import { type Scenario, scenario, windowOf } from "./_scenarios.ts";
import { median } from "./_stats.ts";

/** Most CPU per delivery of two Redis nodes, as a multiple of one SQLite node's. */
export const CPU_RATIO_TARGET = 1.5;
/** Most p99 latency two Redis nodes may add to one SQLite node's, in milliseconds. */
export const P99_DIFF_TARGET_MS = 5;
/** The configuration the targets judge, and the one they judge it against. */
export const TARGET_PAIR = { candidate: "redis-2", base: "sqlite-1" } as const;

/** Medians across rounds of one configuration (loss: the worst round). */
export interface ConfigFigures {
  /** Rounds measured. */
  rounds: number;
  /** The ramp's last publish rate that held (msg/s of the room's publisher); `null` in fan-out. */
  publishRate: number | null;
  /** Delivered messages per second. */
  deliveredPerSec: number | null;
  /** Loss % of the round that lost most. */
  worstLossPct: number | null;
  /** Most members, in one round, that received less than they were owed. */
  worstMembersShort: number | null;
  /** Most members, in one round, that received more (duplicates). */
  worstMembersOver: number | null;
  /** Median latency, ms. */
  p50Ms: number | null;
  /** 99th-percentile latency, ms. */
  p99Ms: number | null;
  /** CPU microseconds of every roomd node plus redis-server per delivered message. */
  cpuUsPerDelivery: number | null;
}

/** The targets, judged. */
export interface Verdict {
  /** redis-2's CPU per delivery ÷ sqlite-1's. */
  cpuRatio: number | null;
  /** redis-2's p99 − sqlite-1's, ms. */
  p99DiffMs: number | null;
  /** `cpuRatio ≤ CPU_RATIO_TARGET`. */
  cpuMet: boolean;
  /** `p99DiffMs ≤ P99_DIFF_TARGET_MS`. */
  p99Met: boolean;
  /** No configuration lost or duplicated a message for any member in any round. */
  noLoss: boolean;
}

/**
 * The scenario a run measures, with the options' sizes: `bench:compare`'s fan-out, or a ramp of
 * one room whose members are spread over the nodes (starting at 100 msg/s, ×1.5 a step, then
 * narrowing; a step holds while ≥ 95% of expected deliveries arrive and p99 ≤ 250 ms).
 *
 * @param options The tool's options.
 * @returns The scenario (one run).
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { parseClusterArgs } from "./_cluster_args.ts";
 * import { clusterScenario } from "./_cluster_report.ts";
 * const parsed = parseClusterArgs(["--max-rate"]);
 * assert.ok(parsed.ok && clusterScenario(parsed.options).runs[0].args.includes("ramp"));
 * ```
 */
export function clusterScenario(options: ClusterOptions): Scenario {
  if (!options.maxRate) {
    const fanout = scenario("fanout", options.seconds);
    const cpu = fanout.metrics.findIndex((m) => m.label === "server CPU µs/msg") + 1;
    const parts = (["roomd", "redis"] as const).map((part) => ({
      label: `  of which ${part} µs/msg`,
      decimals: 2,
      pick: (r: LoadResult) => cpuPart(r, part),
    }));
    const metrics = [...fanout.metrics.slice(0, cpu), ...parts, ...fanout.metrics.slice(cpu)];
    // The cluster tool runs one load process, spreading its rooms over the nodes.
    const runs = fanout.runs.map(({ label, args }) => ({ label, args }));
    const description = fanout.description.replace(/, from \d+ load processes.*$/, "");
    return { ...fanout, description, runs, metrics };
  }
  const saturation = scenario("saturation", options.seconds);
  const members = options.maxRateMembers;
  return {
    name: "saturation",
    description: `largest publish rate of 1 room × ${members} members (1 publisher, 100-byte ` +
      `payloads), from 100 msg/s × 1.5 per 3 s step, then narrowing; figures at the best step`,
    runs: [{
      label: "ramp",
      args: ["--mode", "ramp", "--rooms", "1", "--clients-per-room", String(members)]
        .concat(["--rate", "100", "--max-steps", "16"]),
    }],
    metrics: [
      { label: "publish rate held msg/s", decimals: 0, pick: heldRate },
      ...saturation.metrics,
    ],
  };
}

/**
 * CPU per delivery of the roomd nodes alone, or of redis-server alone. The load tool read the
 * nodes' pids first (as many as its `--url` lists), then redis-server's.
 *
 * @param r A load result.
 * @param part Which processes.
 * @returns Microseconds per delivered message, or `null` when unknown (or no redis-server).
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import type { LoadResult } from "./_result.ts";
 * import { cpuPart } from "./_cluster_report.ts";
 * const r = {
 *   url: "ws://a:1,ws://a:2",
 *   window: { delivered: 1e6, serverCpuSecondsEach: [3, 4, 2] },
 * } as unknown as LoadResult;
 * assert.ok(cpuPart(r, "roomd") === 7 && cpuPart(r, "redis") === 2);
 * ```
 */
export function cpuPart(r: LoadResult, part: "roomd" | "redis"): number | null {
  const w = windowOf(r);
  if (w === null || w.delivered === 0) return null;
  const nodes = r.url.split(",").length;
  const each = part === "roomd"
    ? w.serverCpuSecondsEach.slice(0, nodes)
    : w.serverCpuSecondsEach.slice(nodes);
  if (each.length === 0 || each.some((s) => s === null)) return null;
  return (each.reduce((a, b) => a! + b!, 0)! * 1e6) / w.delivered;
}

/**
 * The publish rate of a ramp's best step.
 *
 * @param r A load result.
 * @returns msg/s per publisher, or `null` without a ramp or a step that held.
 */
export function heldRate(r: LoadResult): number | null {
  return r.ramp && r.ramp.bestStep !== null ? r.ramp.steps[r.ramp.bestStep].rate : null;
}

/**
 * Medians across rounds of one configuration's results.
 *
 * @param results One result per round.
 * @returns The figures.
 */
export function configFigures(results: readonly LoadResult[]): ConfigFigures {
  const windows = results.map(windowOf);
  const pick = (read: (w: WindowResult) => number | null) =>
    median(windows.map((w) => (w === null ? null : read(w))));
  // A round without a window (a ramp in which no step held) counts as losing everything.
  const worst = (read: (w: WindowResult) => number, missing: (r: LoadResult) => number) =>
    results.length === 0 ? null : Math.max(...results.map((r, i) => {
      const w = windows[i];
      return w === null ? missing(r) : read(w);
    }));
  return {
    rounds: results.length,
    publishRate: results.some((r) => r.ramp) ? median(results.map(heldRate)) : null,
    deliveredPerSec: pick((w) => w.deliveredPerSec),
    worstLossPct: worst((w) => w.lossPct, () => 100),
    worstMembersShort: worst((w) => w.membersShort, (r) => r.connections),
    worstMembersOver: worst((w) => w.membersOver, () => 0),
    p50Ms: pick((w) => w.latencyMs.p50),
    p99Ms: pick((w) => w.latencyMs.p99),
    cpuUsPerDelivery: pick((w) => w.serverCpuUsPerMsg),
  };
}

/**
 * {@linkcode configFigures} of every configuration.
 *
 * @param results Results by configuration name, one per round.
 * @returns Figures by configuration name.
 */
export function figuresByConfig(
  results: Readonly<Record<string, readonly LoadResult[]>>,
): Record<string, ConfigFigures> {
  return Object.fromEntries(Object.entries(results).map(([n, rs]) => [n, configFigures(rs)]));
}

/**
 * Judges the targets from every configuration's figures.
 *
 * @param figures Figures by configuration name.
 * @returns The verdict; ratios are `null` when redis-2 or sqlite-1 did not run.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { verdict } from "./_cluster_report.ts";
 * const f = (cpu: number, p99: number) => ({
 *   rounds: 3, publishRate: null, deliveredPerSec: 49_500,
 *   worstLossPct: 0, worstMembersShort: 0, worstMembersOver: 0,
 *   p50Ms: 2, p99Ms: p99, cpuUsPerDelivery: cpu,
 * });
 * const v = verdict({ "sqlite-1": f(8, 10), "redis-2": f(14, 13) });
 * assert.ok(v.cpuRatio === 1.75 && !v.cpuMet && v.p99DiffMs === 3 && v.p99Met && v.noLoss);
 * ```
 */
export function verdict(figures: Readonly<Record<string, ConfigFigures>>): Verdict {
  const base = figures[TARGET_PAIR.base];
  const candidate = figures[TARGET_PAIR.candidate];
  const cpuRatio = base?.cpuUsPerDelivery && candidate?.cpuUsPerDelivery != null
    ? candidate.cpuUsPerDelivery / base.cpuUsPerDelivery
    : null;
  const p99DiffMs = base?.p99Ms != null && candidate?.p99Ms != null
    ? candidate.p99Ms - base.p99Ms
    : null;
  return {
    cpuRatio,
    p99DiffMs,
    cpuMet: cpuRatio !== null && cpuRatio <= CPU_RATIO_TARGET,
    p99Met: p99DiffMs !== null && p99DiffMs <= P99_DIFF_TARGET_MS,
    noLoss: Object.values(figures).every((f) =>
      f.worstLossPct === 0 && f.worstMembersShort === 0 && f.worstMembersOver === 0
    ),
  };
}

/**
 * The lines under the fan-out table: what the CPU figure covers and the targets, judged.
 *
 * @param figures Figures by configuration name.
 * @param redisPersistence How redis-server ran, e.g. `no persistence`.
 * @returns Lines of text.
 */
export function formatTargets(
  figures: Readonly<Record<string, ConfigFigures>>,
  redisPersistence: string,
): string[] {
  const v = verdict(figures);
  const met = (ok: boolean) => (ok ? "met" : "NOT met");
  const { candidate, base } = TARGET_PAIR;
  const lines = [
    `server CPU µs/msg = CPU of every roomd node (and of redis-server, ${redisPersistence}, in ` +
    `the redis configurations) per delivered message; each room's members and publisher ` +
    `spread evenly over the nodes`,
    `loss, worst round (members short / over what they were owed): ${
      Object.entries(figures).map(([n, f]) =>
        `${n} ${num(f.worstLossPct, 2)}% (${num(f.worstMembersShort)} / ${num(f.worstMembersOver)})`
      ).join(", ")
    } — target 0: ${met(v.noLoss)}`,
  ];
  if (figures[candidate] && figures[base]) {
    const c = figures[candidate];
    const b = figures[base];
    lines.push(
      `${candidate}/${base} CPU per delivery: ${num(c.cpuUsPerDelivery, 2)} / ${
        num(b.cpuUsPerDelivery, 2)
      } µs = ${ratio(c.cpuUsPerDelivery, b.cpuUsPerDelivery)} — target ≤ ×${CPU_RATIO_TARGET}: ${
        met(v.cpuMet)
      }`,
      `${candidate} − ${base} p99: ${num(c.p99Ms, 2)} − ${num(b.p99Ms, 2)} ms = ${
        v.p99DiffMs === null ? "n/a" : `${v.p99DiffMs >= 0 ? "+" : ""}${num(v.p99DiffMs, 2)} ms`
      } — target ≤ +${P99_DIFF_TARGET_MS} ms: ${met(v.p99Met)}`,
    );
  }
  return lines;
}
