/**
 * The comparison table: medians across rounds for each server, and roomd ÷ its naive baseline
 * for each transport (and roomd on ws ÷ the native baseline).
 *
 * @module
 */
import { alignColumns, num } from "./_report.ts";
import type { LoadResult } from "./_result.ts";
import { type Scenario, windowOf } from "./_scenarios.ts";
import { median } from "./_stats.ts";

/** The ratios shown, roomd ÷ baseline, when both servers ran. */
const RATIOS: readonly [string, string][] = [
  ["roomd", "baseline"],
  ["roomd-ws", "baseline-ws"],
  ["roomd-ws", "baseline"],
];

/** Results of one scenario: server → run label → one result per round. */
export type ScenarioResults = Record<string, Record<string, LoadResult[]>>;

/**
 * The ratio of two medians as text.
 *
 * @param roomd roomd's median.
 * @param baseline The baseline's median.
 * @returns `×1.23`, or `n/a` when either is missing or the baseline is 0.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { ratio } from "./_compare_table.ts";
 * assert.ok(ratio(3, 2) === "×1.50" && ratio(1, 0) === "n/a");
 * ```
 */
export function ratio(roomd: number | null, baseline: number | null): string {
  if (roomd === null || baseline === null || baseline === 0) return "n/a";
  return `×${(roomd / baseline).toFixed(2)}`;
}

/**
 * One run's figures on one line, for the progress output of the comparison tools.
 *
 * @param r A load result.
 * @returns E.g. `connected in 900 ms, 49,500 msg/s, loss 0.00%, p99 5.3 ms, …`.
 */
export function summaryLine(r: LoadResult): string {
  const w = windowOf(r);
  if (r.idle) {
    return `${num(r.idle.kbPerConnection, 1)} KB/conn, ${
      num(r.idle.kbPerConnectionAfterGc, 1)
    } after GC, ${num(r.idle.kbPerConnectionAfterTrim, 1)} after trim, ${
      num(r.idle.added?.kbPerConnectionAfterTrim ?? null, 1)
    } per added one; heap ${num(r.idle.heapKbPerConnectionAfterGc, 2)} / ${
      num(r.idle.added?.heapKbPerConnectionAfterGc ?? null, 2)
    }; connected in ${num(r.connectAllMs)} ms`;
  }
  if (r.mode === "connect") {
    return `connected in ${num(r.connectAllMs)} ms, server CPU ${
      num((r.connectServerCpuS ?? NaN) * 1000)
    } ms`;
  }
  if (!w) return "no step held";
  return `connected in ${num(r.connectAllMs)} ms, ${num(w.deliveredPerSec)} msg/s, loss ${
    num(w.lossPct, 2)
  }%, p99 ${num(w.latencyMs.p99, 1)} ms, ${num(w.serverCpuUsPerMsg, 2)} µs/msg, tool ${
    num(w.toolCpuPct, 0)
  }%, other ${num(w.otherCpuPct, 0)}%`;
}

/**
 * Formats one scenario's comparison.
 *
 * @param scenario The scenario.
 * @param results Its results.
 * @param rounds Rounds run.
 * @returns The table and notes, lines joined with newlines.
 */
export function formatComparison(
  scenario: Scenario,
  results: ScenarioResults,
  rounds: number,
): string {
  const servers = Object.keys(results);
  const pairs = RATIOS.filter(([r, b]) => servers.includes(r) && servers.includes(b));
  const lines = [`== ${scenario.name}: ${scenario.description} (medians of ${rounds} rounds)`];
  const medianOf = (server: string, run: string, pick: (r: LoadResult) => number | null) =>
    median((results[server]?.[run] ?? []).map(pick));
  for (const run of scenario.runs) {
    const head = [`${run.label}`, ...servers, ...pairs.map(([r, b]) => `${r}/${b}`)];
    const rows = scenario.metrics.map((m) => {
      const values = servers.map((s) => medianOf(s, run.label, m.pick));
      const cells = [m.label, ...values.map((v) => num(v, m.decimals))];
      for (const [r, b] of pairs) {
        cells.push(
          m.context ? "" : ratio(values[servers.indexOf(r)], values[servers.indexOf(b)]),
        );
      }
      return cells;
    });
    lines.push(...alignColumns([head, ...rows]), "");
    for (const server of servers) {
      const notes = notesOf(results[server]?.[run.label] ?? []);
      if (notes) lines.push(`  ${server} ${run.label}: ${notes}`);
    }
  }
  if (scenario.name === "slow") {
    for (const server of servers) {
      const p99 = (run: string) => medianOf(server, run, (r) => r.window?.latencyMs.p99 ?? null);
      lines.push(
        `${server} p99: fixed ${num(p99("fixed"), 2)} ms → slow ${num(p99("slow"), 2)} ms ` +
          `(${ratio(p99("slow"), p99("fixed"))})`,
      );
    }
  }
  return lines.join("\n");
}

function notesOf(results: readonly LoadResult[]): string {
  const notes: string[] = [];
  const add = (into: Map<string, number>, record: Record<string, number>) => {
    for (const [k, v] of Object.entries(record)) into.set(k, (into.get(k) ?? 0) + v);
  };
  const slow = new Map<string, number>();
  const closes = new Map<string, number>();
  let errors = 0;
  for (const r of results) {
    if (r.slow) add(slow, r.slow.outcomes);
    add(closes, r.serverClosed);
    errors += r.errors;
  }
  const list = (m: Map<string, number>) => [...m].map(([k, v]) => `${k} ×${v}`).join(", ");
  if (slow.size > 0) notes.push(`slow clients ended: ${list(slow)}`);
  if (closes.size > 0) notes.push(`server closed clients: ${list(closes)}`);
  if (errors > 0) {
    notes.push(`${errors} error frames (first: ${results.find((r) => r.firstError)?.firstError})`);
  }
  const stops = results.map((r) => r.ramp?.stoppedBecause).filter((s) => s !== undefined);
  if (stops.length > 0) notes.push(`ramp stopped: ${stops.join(" | ")}`);
  return notes.join("; ");
}
