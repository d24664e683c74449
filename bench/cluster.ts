/**
 * Measures roomd scaled out through Redis against one SQLite node: for each configuration
 * (`sqlite-1`: one node on SQLite; `redis-N`: N nodes sharing one redis-server) it starts its
 * own redis-server on a free loopback port and its roomd nodes as child processes, runs the
 * `bench:compare` fan-out load with each room's members and publisher spread over the nodes,
 * and reports medians across rounds (the order of configurations alternating) with the targets
 * of redis-2 against sqlite-1. `--max-rate` instead ramps one room's publish rate.
 *
 * ```sh
 * deno task bench:cluster [--rounds 3] [--seconds 10] [--configs sqlite-1,redis-1,redis-2]
 *   [--max-rate [--max-rate-members 20]] [--aof] [--quiet-wait 20] [--json]
 * ```
 *
 * The load tool, the nodes and redis-server share the machine's cores; every figure comes with
 * the load tool's own CPU and the CPU of other processes, so noisy rounds can be told apart.
 *
 * @module
 */
import {
  CLUSTER_USAGE,
  type ClusterOptions,
  parseClusterArgs,
  roundOrder,
} from "./_cluster_args.ts";
import { AOF_ARGS, startCluster } from "./_cluster_nodes.ts";
import { clusterScenario, figuresByConfig, formatTargets, verdict } from "./_cluster_report.ts";
import { runLoadChild } from "./_child.ts";
import { formatComparison, type ScenarioResults, summaryLine } from "./_compare_table.ts";
import { awaitQuiet } from "./_quiet.ts";
import type { LoadResult } from "./_result.ts";

/**
 * Runs every round of every configuration.
 *
 * @param options The tool's options.
 * @param progress Where each run's one-line summary goes.
 * @returns Results by configuration (one per round), or why a run failed.
 */
export async function measureCluster(
  options: ClusterOptions,
  progress: (line: string) => void,
): Promise<Record<string, LoadResult[]> | string> {
  const secret = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(24))));
  const run = clusterScenario(options).runs[0];
  const results: Record<string, LoadResult[]> = Object.fromEntries(
    options.configs.map((c) => [c.name, []]),
  );
  for (let round = 1; round <= options.rounds; round++) {
    for (const config of roundOrder(options.configs, round)) {
      const busy = await awaitQuiet(options.quietWaitSeconds);
      if (busy !== null && busy > 25) {
        progress(`(machine still ${busy.toFixed(0)}% busy; measuring anyway)`);
      }
      const cluster = await startCluster(config, secret, options.aof);
      if (typeof cluster === "string") return cluster;
      const args = [...run.args, "--url", cluster.urls.join(","), "--pid", cluster.pids.join(",")]
        .concat(["--secret", secret]);
      const outcome = await runLoadChild(args, { ROOMD_JWT_SECRET: "" })
        .finally(() => cluster.stop());
      const label = `${run.label} round ${round}/${options.rounds} ${config.name}`;
      if (!outcome.ok) return `${label}: ${outcome.error}`;
      results[config.name].push(outcome.result);
      progress(`${label}: ${summaryLine(outcome.result)}`);
    }
  }
  return results;
}

/**
 * The report: the comparison table (medians), then, for the fan-out, the targets.
 *
 * @param options The tool's options.
 * @param results Results by configuration.
 * @returns The text.
 */
export function formatCluster(
  options: ClusterOptions,
  results: Record<string, LoadResult[]>,
): string {
  const sc = clusterScenario(options);
  const table: ScenarioResults = Object.fromEntries(
    Object.entries(results).map(([name, rs]) => [name, { [sc.runs[0].label]: rs }]),
  );
  const lines = [formatComparison(sc, table, options.rounds)];
  if (options.maxRate) lines.push(`redis-server: ${persistence(options)}`);
  else lines.push(...formatTargets(figuresByConfig(results), persistence(options)));
  return lines.join("\n");
}

function persistence(options: ClusterOptions): string {
  return options.aof ? AOF_ARGS.join(" ") : "no persistence";
}

async function main(): Promise<number> {
  if (Deno.args.includes("--help") || Deno.args.includes("-h")) {
    console.log(CLUSTER_USAGE);
    return 0;
  }
  const parsed = parseClusterArgs(Deno.args);
  if (!parsed.ok) {
    console.error(parsed.error);
    return 2;
  }
  const options = parsed.options;
  const results = await measureCluster(options, (line) => console.error(line));
  if (typeof results === "string") {
    console.error(results);
    return 1;
  }
  if (!options.json) {
    console.log(`\n${formatCluster(options, results)}`);
    return 0;
  }
  const figures = figuresByConfig(results);
  const report = {
    scenario: clusterScenario(options).description,
    redisPersistence: persistence(options),
    rounds: options.rounds,
    figures,
    verdict: options.maxRate ? null : verdict(figures),
    results,
  };
  console.log(JSON.stringify(report, null, 2));
  return 0;
}

if (import.meta.main) Deno.exit(await main());
