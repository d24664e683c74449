/**
 * Compares roomd with the naive baseline server, on both transports: `baseline` (Deno.serve)
 * and `roomd` (ROOMD_TRANSPORT=native), `baseline-ws` (node:http + npm:ws) and `roomd-ws`
 * (ROOMD_TRANSPORT=ws). Starts each as a child process on a free port with a fresh data
 * directory, runs the same load against each for several rounds (alternating the order), and
 * prints medians with the ratios roomd ÷ baseline, roomd-ws ÷ baseline-ws and roomd-ws ÷ baseline.
 *
 * ```sh
 * deno task bench:compare --scenario fanout|saturation|idle|slow|bigroom|bigroom10k|connect|all
 *   [--rounds 3] [--seconds 10] [--servers baseline,roomd,baseline-ws,roomd-ws] [--json]
 * ```
 *
 * The load tool and the servers share the machine's cores; every figure comes with the load
 * tool's own CPU and the CPU used by other processes, so noisy rounds can be told apart. The
 * fan-out's rooms are split over two load processes run at once (one reading all 49,500
 * deliveries a second queued them itself, which its latency then measured); their results are
 * merged (`_merge.ts`).
 *
 * @module
 */
import { parseArgs } from "node:util";
import {
  roomdEnv,
  runLoadChild,
  type ServerProcess,
  startServer,
  startTaskArgs,
} from "./_child.ts";
import { roundOrder } from "./_cluster_args.ts";
import { awaitQuiet } from "./_quiet.ts";
import { formatComparison, type ScenarioResults, summaryLine } from "./_compare_table.ts";
import { scenario, SCENARIO_NAMES, type ScenarioName } from "./_scenarios.ts";
import { mergeLoadResults, splitRooms } from "./_merge.ts";
import type { LoadResult } from "./_result.ts";

const SERVERS = ["baseline", "roomd", "baseline-ws", "roomd-ws"] as const;
type ServerName = typeof SERVERS[number];

function start(
  server: ServerName,
  secret: string,
  gcOnSignal: boolean,
): Promise<ServerProcess | string> {
  switch (server) {
    case "baseline":
      return startServer(server, ["run", "-A", "bench/baseline_server.ts"], {}, gcOnSignal);
    case "baseline-ws":
      return startServer(server, ["run", "-A", "bench/baseline_ws_server.ts"], {}, gcOnSignal);
    case "roomd":
      return startServer(server, startTaskArgs(), roomdEnv(secret), gcOnSignal);
    case "roomd-ws":
      return startServer(
        server,
        startTaskArgs(),
        { ...roomdEnv(secret), ROOMD_TRANSPORT: "ws" },
        gcOnSignal,
      );
  }
}

/** Runs the load tool, split over `processes` processes that share the rooms. */
async function runLoad(
  args: readonly string[],
  processes: number,
): Promise<{ ok: true; result: LoadResult } | { ok: false; error: string }> {
  const env = { ROOMD_JWT_SECRET: "" };
  if (processes === 1) return runLoadChild(args, env);
  const split = splitRooms(args, processes);
  const outcomes = await Promise.all(
    Array.from({ length: processes }, () => runLoadChild(split, env)),
  );
  const results: LoadResult[] = [];
  for (const outcome of outcomes) {
    if (!outcome.ok) return outcome;
    results.push(outcome.result);
  }
  return { ok: true, result: mergeLoadResults(results) };
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      scenario: { type: "string", default: "fanout" },
      rounds: { type: "string", default: "3" },
      seconds: { type: "string", default: "10" },
      servers: { type: "string", default: SERVERS.join(",") },
      json: { type: "boolean", default: false },
    },
  });
  const names = values.scenario === "all"
    ? SCENARIO_NAMES
    : SCENARIO_NAMES.filter((n) => n === values.scenario);
  const rounds = Number(values.rounds);
  const seconds = Number(values.seconds);
  const servers = values.servers.split(",").filter((s): s is ServerName =>
    (SERVERS as readonly string[]).includes(s)
  );
  if (names.length === 0) {
    console.error(
      `Invalid --scenario=${values.scenario}: expected ${SCENARIO_NAMES.join("|")}|all`,
    );
    return 2;
  }
  if (!Number.isInteger(rounds) || rounds < 1 || !(seconds > 0) || servers.length === 0) {
    console.error(
      `Invalid --rounds, --seconds or --servers: expected a positive count, seconds, and some of ${
        SERVERS.join(",")
      }`,
    );
    return 2;
  }
  const secret = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(24))));
  const all: Record<string, ScenarioResults> = {};
  for (const name of names) {
    const sc = scenario(name as ScenarioName, seconds);
    const results: ScenarioResults = Object.fromEntries(servers.map((s) => [s, {}]));
    for (let round = 1; round <= rounds; round++) {
      for (const server of roundOrder(servers, round)) {
        for (const run of sc.runs) {
          const busy = await awaitQuiet();
          if (busy !== null && busy > 25) {
            console.error(`(machine still ${busy.toFixed(0)}% busy after 60 s; measuring anyway)`);
          }
          const proc = await start(server, secret, sc.gcOnSignal ?? false);
          if (typeof proc === "string") {
            console.error(proc);
            return 1;
          }
          const args = [...run.args, "--url", proc.url, "--pid", String(proc.pid)];
          if (server.startsWith("roomd")) args.push("--secret", secret);
          if (proc.collectsOnSignal) args.push("--gc-signal");
          const outcome = await runLoad(args, run.processes ?? 1).finally(() => proc.stop());
          if (!outcome.ok) {
            console.error(`${name} round ${round} ${server} ${run.label}: ${outcome.error}`);
            return 1;
          }
          (results[server][run.label] ??= []).push(outcome.result);
          console.error(
            `${name} round ${round}/${rounds} ${server} ${run.label}: ${
              summaryLine(outcome.result)
            }`,
          );
        }
      }
    }
    all[name] = results;
    if (!values.json) console.log(`\n${formatComparison(sc, results, rounds)}`);
  }
  if (values.json) console.log(JSON.stringify(all, null, 2));
  return 0;
}

if (import.meta.main) Deno.exit(await main());
