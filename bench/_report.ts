/**
 * The load tool's human-readable report.
 *
 * @module
 */
import type { LoadResult, WindowResult } from "./_result.ts";

/**
 * Formats a number with thousands separators and a fixed number of decimals.
 *
 * @param value The number; `null` or `NaN` prints as `n/a`.
 * @param decimals Digits after the point.
 * @returns The text.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { num } from "./_report.ts";
 * assert.ok(num(49500) === "49,500" && num(1.234, 2) === "1.23" && num(null) === "n/a");
 * ```
 */
export function num(value: number | null, decimals = 0): string {
  if (value === null || Number.isNaN(value)) return "n/a";
  return value.toLocaleString("en-US", {
    minimumFractionDigits: decimals,
    maximumFractionDigits: decimals,
  });
}

/**
 * Renders a result as an aligned table of rows.
 *
 * @param result A load run's result.
 * @returns The report, lines joined with newlines.
 */
export function formatReport(result: LoadResult): string {
  const r = result;
  const rows: [string, string][] = [];
  const title = `roomd load — ${r.mode}: ${r.rooms} room(s) × ${r.clientsPerRoom} clients` +
    (r.mode === "idle" ? "" : ` (${r.publishersPerRoom} publisher(s)/room)`) +
    `, ${r.size}-byte payloads, ${r.url}`;
  rows.push([
    "connections",
    `${num(r.connections)} (open p50 ${num(r.connectMs.p50, 1)} ms, max ${
      num(r.connectMs.max, 1)
    } ms; all ready after ${num(r.connectAllMs, 0)} ms)`,
  ]);
  if (r.connectServerCpuS != null) {
    rows.push(["server CPU connecting", `${num(r.connectServerCpuS * 1000, 0)} ms`]);
  }
  if (r.window) rows.push(...windowRows(r.window));
  if (r.slow) {
    const ended = Object.entries(r.slow.outcomes).map(([k, v]) => `${k} ×${v}`).join(", ");
    rows.push([
      "slow clients",
      `${r.slow.upgraded} of ${r.slow.clients} upgraded; ended: ${ended || "none"}` +
      (r.slow.firstError ? ` (first failure: ${r.slow.firstError})` : ""),
    ]);
  }
  if (r.idle) {
    rows.push(["server RSS before", `${num(r.idle.rssBeforeKb / 1024, 1)} MB`]);
    rows.push(["server RSS after", `${num(r.idle.rssAfterKb / 1024, 1)} MB`]);
    rows.push(["per connection", `${num(r.idle.kbPerConnection, 1)} KB`]);
    if (r.idle.rssAfterGcKb !== null) {
      rows.push(["server RSS after GC", `${num(r.idle.rssAfterGcKb / 1024, 1)} MB`]);
      rows.push(["per connection after GC", `${num(r.idle.kbPerConnectionAfterGc, 1)} KB`]);
    }
    if (r.idle.kbPerConnectionAfterTrim !== null) {
      rows.push(["... and malloc_trim", `${num(r.idle.kbPerConnectionAfterTrim, 1)} KB`]);
    }
    if (r.idle.heapKbPerConnectionAfterGc !== null) {
      rows.push(["JS heap per connection", `${num(r.idle.heapKbPerConnectionAfterGc, 2)} KB`]);
    }
    const { added } = r.idle;
    if (added) {
      rows.push([
        "per added connection",
        `${num(added.kbPerConnectionAfterTrim, 1)} KB after GC and malloc_trim ` +
        `(${num(added.connections)} more clients: RSS ${num(added.rssAfterTrimKb / 1024, 1)} MB)`,
      ]);
      if (added.heapKbPerConnectionAfterGc !== null) {
        rows.push(["JS heap per added one", `${num(added.heapKbPerConnectionAfterGc, 2)} KB`]);
      }
    }
  }
  if (r.ramp) {
    rows.push([
      "saturation",
      r.ramp.saturationPerSec === null
        ? "no step held"
        : `${num(r.ramp.saturationPerSec)} delivered msg/s (step ${r.ramp.bestStep! + 1})`,
    ]);
    rows.push(["stopped", r.ramp.stoppedBecause]);
  }
  rows.push(["acks / errors", `${num(r.acks)} / ${num(r.errors)}`]);
  if (r.firstError) rows.push(["first error", r.firstError]);
  const closes = Object.entries(r.serverClosed).map(([k, v]) => `${k} ×${v}`).join(", ");
  rows.push(["server closes", closes || "none"]);
  const width = Math.max(...rows.map(([k]) => k.length)) + 2;
  const lines = [title, ...rows.map(([k, v]) => k.padEnd(width) + v)];
  if (r.ramp) lines.push("", ...rampTable(r.ramp.steps));
  return lines.join("\n");
}

function windowRows(w: WindowResult): [string, string][] {
  const l = w.latencyMs;
  return [
    ["window", `${w.seconds} s at ${num(w.rate, 1)} msg/s per publisher`],
    ["sent", `${num(w.sent)} (planned ${num(w.plannedSent)})`],
    ["expected deliveries", `${num(w.expected)} (planned ${num(w.plannedExpected)})`],
    ["delivered", `${num(w.delivered)} (${num(w.deliveredPerSec)} msg/s)`],
    [
      "loss",
      `${num(w.lossPct, 2)} % (members short of what they were owed: ${
        num(w.membersShort)
      }, over: ${num(w.membersOver)})`,
    ],
    [
      "latency",
      `p50 ${num(l.p50, 2)}  p95 ${num(l.p95, 2)}  p99 ${num(l.p99, 2)}  max ${num(l.max, 2)} ms`,
    ],
    [
      "server CPU",
      w.serverCpuSeconds === null
        ? "n/a (no --pid)"
        : `${num(w.serverCpuSeconds, 2)} s (${num(w.serverCpuPct, 0)}% of a core), ${
          num(w.serverCpuUsPerMsg, 2)
        } µs per delivered message`,
    ],
    [
      "server RSS",
      w.serverRssPeakKb === null ? "n/a" : `peak ${num(w.serverRssPeakKb / 1024, 1)} MB`,
    ],
    ["load tool CPU", `${num(w.toolCpuSeconds, 2)} s (${num(w.toolCpuPct, 0)}% of a core)`],
    ["other CPU", `${num(w.otherCpuPct, 0)}% of a core (other processes on the machine)`],
  ];
}

function rampTable(steps: readonly WindowResult[]): string[] {
  const head = ["step", "rate/pub", "sent", "delivered/s", "delivered %", "p50 ms", "p99 ms"]
    .concat(["max ms", "server cpu %", "µs/msg", "tool cpu %", "other cpu %"]);
  const body = steps.map((s, i) => [
    String(i + 1),
    num(s.rate, 1),
    num(s.sent),
    num(s.deliveredPerSec),
    num(s.plannedExpected > 0 ? (100 * s.delivered) / s.plannedExpected : null, 1),
    num(s.latencyMs.p50, 2),
    num(s.latencyMs.p99, 2),
    num(s.latencyMs.max, 1),
    num(s.serverCpuPct, 0),
    num(s.serverCpuUsPerMsg, 2),
    num(s.toolCpuPct, 0),
    num(s.otherCpuPct, 0),
  ]);
  return alignColumns([head, ...body]);
}

/**
 * Aligns the cells of a table column by column: the first column to the left, the others (the
 * numbers) to the right.
 *
 * @param rows Rows of cells; the first is the header.
 * @returns One string per row.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { alignColumns } from "./_report.ts";
 * const [head, row] = alignColumns([["metric", "x"], ["p99", "12.5"]]);
 * assert.ok(head === "metric     x" && row === "p99     12.5");
 * ```
 */
export function alignColumns(rows: readonly string[][]): string[] {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c]?.length ?? 0)));
  return rows.map((r) =>
    r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join("  ")
  );
}
