/**
 * The scenarios `bench/compare.ts` runs against each server, and the figures it compares.
 *
 * @module
 */
import { RAMP_FACTOR, RAMP_REFINE_STEPS } from "./_ramp_plan.ts";
import type { LoadResult, WindowResult } from "./_result.ts";

/** A scenario's name on the command line. */
export type ScenarioName =
  | "fanout"
  | "saturation"
  | "idle"
  | "slow"
  | "bigroom"
  | "bigroom10k"
  | "connect";

/** Every scenario, in the order `all` runs them. */
export const SCENARIO_NAMES: readonly ScenarioName[] = [
  "fanout",
  "saturation",
  "idle",
  "slow",
  "bigroom",
  "bigroom10k",
  "connect",
];

/** One figure read from a load result. */
export interface Metric {
  /** Row label, with its unit. */
  label: string;
  /** Reads the figure; `null` when the result lacks it. */
  pick: (result: LoadResult) => number | null;
  /** Decimals to print. */
  decimals: number;
  /** Context rather than a property of the server: shown without a roomd ÷ baseline ratio. */
  context?: boolean;
}

/** One load-tool invocation of a scenario, against a fresh server. */
export interface ScenarioRun {
  /** Name of the run within the scenario (`fixed`, `slow`, …). */
  label: string;
  /** Load-tool arguments (without `--url`, `--pid`, `--secret`, `--json`). */
  args: string[];
  /**
   * Load processes that share the run's rooms at once (default 1): one process reading every
   * delivery of the fan-out queues them itself, which the latency would then measure.
   */
  processes?: number;
}

/** A scenario: what to run and what to compare. */
export interface Scenario {
  /** Its name. */
  name: ScenarioName;
  /** One line saying what it does. */
  description: string;
  /** Runs per server per round. */
  runs: ScenarioRun[];
  /** Figures to compare for every run. */
  metrics: Metric[];
  /** Start the servers so that SIGUSR2 collects their garbage (see `bench/_gc_on_signal.ts`). */
  gcOnSignal?: boolean;
}

const FANOUT = ["--rooms", "10", "--clients-per-room", "100", "--publishers-per-room", "1"]
  .concat(["--rate", "50", "--size", "100"]);

/**
 * The measured window of a result: the fixed run's, or the ramp's best step.
 *
 * @param r A load result.
 * @returns The window, or `null` when no ramp step held.
 */
export const windowOf = (r: LoadResult): WindowResult | null => {
  if (r.window) return r.window;
  if (r.ramp && r.ramp.bestStep !== null) return r.ramp.steps[r.ramp.bestStep];
  return null;
};

const fromWindow = (
  label: string,
  decimals: number,
  read: (w: WindowResult) => number | null,
): Metric => ({
  label,
  decimals,
  pick: (r) => {
    const w = windowOf(r);
    return w === null ? null : read(w);
  },
});

const CONNECT_METRICS: Metric[] = [
  { label: "connect all ms", decimals: 0, pick: (r) => r.connectAllMs ?? null },
  {
    label: "server CPU connecting ms",
    decimals: 0,
    pick: (r) => r.connectServerCpuS == null ? null : r.connectServerCpuS * 1000,
  },
  { label: "connect p50 ms", decimals: 1, pick: (r) => r.connectMs.p50 },
  { label: "connect max ms", decimals: 1, pick: (r) => r.connectMs.max },
];

const WINDOW_METRICS: Metric[] = [
  fromWindow("delivered msg/s", 0, (w) => w.deliveredPerSec),
  fromWindow("loss %", 2, (w) => w.lossPct),
  fromWindow("latency p50 ms", 2, (w) => w.latencyMs.p50),
  fromWindow("latency p99 ms", 2, (w) => w.latencyMs.p99),
  fromWindow("server CPU µs/msg", 2, (w) => w.serverCpuUsPerMsg),
  fromWindow(
    "server RSS peak MB",
    1,
    (w) => w.serverRssPeakKb === null ? null : w.serverRssPeakKb / 1024,
  ),
  { ...fromWindow("load tool CPU %", 0, (w) => w.toolCpuPct), context: true },
  { ...fromWindow("other CPU %", 0, (w) => w.otherCpuPct), context: true },
];

/** Figures of a big room: joining all members, then the fan-out window. */
const BIG_ROOM_METRICS: Metric[] = [
  { label: "connect all ms", decimals: 0, pick: (r) => r.connectAllMs },
  ...WINDOW_METRICS,
];

function bigRoom(name: ScenarioName, members: number, seconds: number): Scenario {
  const args = ["--mode", "fixed", "--rooms", "1", "--clients-per-room", String(members)]
    .concat(["--rate", "10", "--size", "100", "--seconds", String(seconds)])
    // On the shared machine one attempt of a 10,000-client storm once took over 15 s (cause
    // not found): such a straggler counts in "connect all" rather than failing the run.
    .concat(["--connect-timeout", "60"]);
  const full = { label: "full", args };
  const count = { label: "count", args: [...args, "--presence", "count"] };
  return {
    name,
    description: `1 room × ${members.toLocaleString("en-US")} clients, 1 publisher at 10 msg/s, ` +
      `100-byte payloads, ${seconds} s; "connect all" runs until every welcome arrived; roomd ` +
      `room with presence ${members > 5000 ? "count" : "count, then full"}`,
    // Full presence tells every member of every join: O(n²) bytes, too many for 10,000 here.
    runs: members > 5000 ? [count] : [count, full],
    metrics: BIG_ROOM_METRICS,
  };
}

/**
 * Builds a scenario.
 *
 * @param name The scenario.
 * @param seconds Measured seconds for fanout and slow.
 * @returns Its runs and metrics.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { scenario } from "./_scenarios.ts";
 * assert.ok(scenario("slow", 10).runs.map((r) => r.label).join() === "fixed,slow");
 * ```
 */
export function scenario(name: ScenarioName, seconds: number): Scenario {
  const s = ["--seconds", String(seconds)];
  switch (name) {
    case "fanout":
      return {
        name,
        description:
          `10 rooms × 100 clients, 1 publisher/room at 50 msg/s, 100-byte payloads, ${seconds} s, ` +
          "from 2 load processes of 5 rooms",
        runs: [{ label: "fixed", args: ["--mode", "fixed", ...FANOUT, ...s], processes: 2 }],
        metrics: WINDOW_METRICS,
      };
    case "saturation":
      return {
        name,
        description:
          `ramp: 1 room × 200 clients, from 50 msg/s × ${RAMP_FACTOR} per 3 s step, then ` +
          `${RAMP_REFINE_STEPS} narrowing steps; figures at the best step`,
        runs: [{
          label: "ramp",
          args: ["--mode", "ramp", "--rooms", "1", "--clients-per-room", "200", "--rate", "50"],
        }],
        metrics: [
          { label: "saturation msg/s", decimals: 0, pick: (r) => r.ramp?.saturationPerSec ?? null },
          ...WINDOW_METRICS.slice(1),
        ],
      };
    case "idle":
      return {
        name,
        description: "5,000 idle connections in 50 rooms, then 2,500 more in the same rooms",
        runs: [{
          label: "idle",
          args: ["--mode", "idle", "--rooms", "50", "--clients-per-room", "100"],
        }],
        gcOnSignal: true,
        metrics: [
          { label: "KB per connection", decimals: 1, pick: (r) => r.idle?.kbPerConnection ?? null },
          {
            label: "KB per connection after GC",
            decimals: 1,
            pick: (r) => r.idle?.kbPerConnectionAfterGc ?? null,
          },
          {
            label: "KB per connection after GC+trim",
            decimals: 1,
            pick: (r) => r.idle?.kbPerConnectionAfterTrim ?? null,
          },
          {
            label: "KB per added connection after GC+trim",
            decimals: 1,
            pick: (r) => r.idle?.added?.kbPerConnectionAfterTrim ?? null,
          },
          {
            label: "JS heap KB per connection after GC",
            decimals: 2,
            pick: (r) => r.idle?.heapKbPerConnectionAfterGc ?? null,
          },
          {
            label: "JS heap KB per added connection",
            decimals: 2,
            pick: (r) => r.idle?.added?.heapKbPerConnectionAfterGc ?? null,
          },
          {
            label: "server RSS after MB",
            decimals: 1,
            pick: (r) => r.idle ? r.idle.rssAfterKb / 1024 : null,
          },
          ...CONNECT_METRICS,
        ],
      };
    case "connect":
      return {
        name,
        description: "time until 1,000 clients in 10 rooms, then 5,000 in 50 rooms, all have " +
          "their welcome (the idle scenario's 5,000 connect right after a forced full collection)",
        runs: [
          {
            label: "1,000",
            args: ["--mode", "connect", "--rooms", "10", "--clients-per-room", "100"],
          },
          {
            label: "5,000",
            args: ["--mode", "connect", "--rooms", "50", "--clients-per-room", "100"],
          },
        ],
        metrics: CONNECT_METRICS,
      };
    case "slow":
      return {
        name,
        description: `fanout (${seconds} s), without and with 1 never-reading client per room`,
        runs: [
          { label: "fixed", args: ["--mode", "fixed", ...FANOUT, ...s] },
          { label: "slow", args: ["--mode", "slow", ...FANOUT, ...s, "--slow-clients", "1"] },
        ],
        metrics: WINDOW_METRICS,
      };
    case "bigroom":
      return bigRoom(name, 5000, seconds);
    case "bigroom10k":
      return bigRoom(name, 10_000, seconds);
  }
}
