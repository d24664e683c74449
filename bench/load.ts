/**
 * The end-to-end load tool: opens WebSocket clients against roomd (or the baseline server),
 * publishes stamped chat messages and reports delivered msg/s, loss, latency percentiles,
 * connection time, and the server's and its own CPU and memory.
 *
 * ```sh
 * deno task load --url ws://127.0.0.1:8080 --rooms 10 --clients-per-room 100 --rate 50 \
 *   --pid "$(pgrep -n -f main.ts)"
 * ```
 *
 * Modes: `fixed` (warm up, then measure), `ramp` (1 room; the rate rises step by step until
 * under 95% of expected deliveries arrive, p99 passes 250 ms, or the tool falls behind its
 * schedule, then a few steps narrow the gap between the highest rate that held and the lowest
 * that failed: see `RampPlan`),
 * `idle` (server KB per open connection; with `--gc-signal` also after a full collection, and
 * what each of half as many clients again adds), `slow` (fixed plus raw TCP clients that never
 * read).
 * Run `--help` for every option.
 *
 * @module
 */
import { parseLoadArgs, USAGE } from "./_args.ts";
import { runLoad } from "./_modes.ts";
import { formatReport } from "./_report.ts";
import { sleep } from "./_window.ts";

if (import.meta.main) {
  if (Deno.args.includes("--help") || Deno.args.includes("-h")) {
    console.log(USAGE);
    Deno.exit(0);
  }
  const parsed = parseLoadArgs(Deno.args, Deno.env.toObject());
  if (!parsed.ok) {
    console.error(parsed.error);
    Deno.exit(2);
  }
  const result = await runLoad(parsed.options);
  if (typeof result === "string") {
    console.error(result);
    Deno.exit(1);
  }
  console.log(parsed.options.json ? JSON.stringify(result, null, 2) : formatReport(result));
  await sleep(200);
  Deno.exit(0);
}
