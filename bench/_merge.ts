/**
 * One result from several load processes that measured one server at the same time, each with
 * its own rooms (`bench/compare.ts` splits a scenario's rooms over them so that the load tool,
 * reading every delivery, does not queue them itself).
 *
 * @module
 */
import type { LoadResult, WindowResult } from "./_result.ts";
import { mergeHistograms, summarizeHistogram } from "./_stats.ts";

/**
 * Merges the results of load processes that ran side by side against one server: counts add
 * up, latencies are taken from their histograms together, and the server's CPU (which each
 * process read over its own, overlapping, window) is averaged and divided by all deliveries.
 *
 * @param parts The processes' results (fixed mode, each with a window).
 * @returns The result of the whole load.
 * @throws {TypeError} When there are no parts or one has no window.
 */
export function mergeLoadResults(parts: readonly LoadResult[]): LoadResult {
  if (parts.length === 0) throw new TypeError("Cannot merge load results: none given");
  if (parts.length === 1) return parts[0];
  const windows = parts.map((part) => {
    if (part.window === undefined) {
      throw new TypeError(`Cannot merge load results: a ${part.mode} run has no window`);
    }
    return part.window;
  });
  const first = parts[0];
  const serverClosed: Record<string, number> = {};
  for (const part of parts) {
    for (const [code, n] of Object.entries(part.serverClosed)) {
      serverClosed[code] = (serverClosed[code] ?? 0) + n;
    }
  }
  return {
    ...first,
    rooms: sum(parts.map((p) => p.rooms)),
    connections: sum(parts.map((p) => p.connections)),
    connectMs: {
      p50: Math.max(...parts.map((p) => p.connectMs.p50)),
      max: Math.max(...parts.map((p) => p.connectMs.max)),
    },
    connectAllMs: Math.max(...parts.map((p) => p.connectAllMs)),
    serverClosed,
    acks: sum(parts.map((p) => p.acks)),
    errors: sum(parts.map((p) => p.errors)),
    firstError: parts.find((p) => p.firstError !== null)?.firstError ?? null,
    window: mergeWindows(windows),
  };
}

/**
 * The arguments of one of `processes` load processes that share a run's rooms.
 *
 * @param args The run's load-tool arguments, with `--rooms N`.
 * @param processes How many processes share the rooms.
 * @returns The same arguments with `--rooms N / processes`.
 * @throws {TypeError} When the rooms do not divide evenly.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { splitRooms } from "./_merge.ts";
 * assert.deepEqual(splitRooms(["--mode", "fixed", "--rooms", "10"], 2), ["--mode", "fixed", "--rooms", "5"]);
 * ```
 */
export function splitRooms(args: readonly string[], processes: number): string[] {
  const at = args.indexOf("--rooms");
  const rooms = at < 0 ? 1 : Number(args[at + 1]);
  if (!Number.isInteger(rooms / processes) || rooms < processes) {
    throw new TypeError(`Cannot split ${rooms} rooms over ${processes} load processes`);
  }
  const split = [...args];
  split[at + 1] = String(rooms / processes);
  return split;
}

function mergeWindows(windows: readonly WindowResult[]): WindowResult {
  const first = windows[0];
  const delivered = sum(windows.map((w) => w.delivered));
  const expected = sum(windows.map((w) => w.expected));
  const serverCpu = mean(windows.map((w) => w.serverCpuSeconds));
  const serverPct = mean(windows.map((w) => w.serverCpuPct));
  const toolCpu = sum(windows.map((w) => w.toolCpuSeconds));
  const toolPct = sum(windows.map((w) => w.toolCpuPct));
  // Each process counted the others among "other" CPU: take them out again.
  const other = mean(
    windows.map((w) =>
      w.otherCpuPct === null ? null : Math.max(0, w.otherCpuPct - (toolPct - w.toolCpuPct))
    ),
  );
  const rssPeaks = windows.map((w) => w.serverRssPeakKb).filter((kb) => kb !== null);
  const histogram = mergeHistograms(windows.map((w) => w.latencyHistogramUs));
  return {
    ...first,
    sent: sum(windows.map((w) => w.sent)),
    plannedSent: sum(windows.map((w) => w.plannedSent)),
    expected,
    plannedExpected: sum(windows.map((w) => w.plannedExpected)),
    delivered,
    deliveredPerSec: sum(windows.map((w) => w.deliveredPerSec)),
    lossPct: expected > 0 ? Math.max(0, 100 * (1 - delivered / expected)) : 0,
    membersShort: sum(windows.map((w) => w.membersShort)),
    membersOver: sum(windows.map((w) => w.membersOver)),
    latencyMs: summarizeHistogram(histogram),
    latencyHistogramUs: histogram,
    serverCpuSeconds: serverCpu,
    serverCpuSecondsEach: first.serverCpuSecondsEach,
    serverCpuPct: serverPct,
    serverCpuUsPerMsg: serverCpu === null || delivered === 0 ? null : (serverCpu * 1e6) / delivered,
    serverRssPeakKb: rssPeaks.length === 0 ? null : Math.max(...rssPeaks),
    toolCpuSeconds: toolCpu,
    toolCpuPct: toolPct,
    otherCpuPct: other,
  };
}

function sum(values: readonly number[]): number {
  return values.reduce((total, v) => total + v, 0);
}

function mean(values: readonly (number | null)[]): number | null {
  const present = values.filter((v): v is number => v !== null);
  return present.length === 0 ? null : sum(present) / present.length;
}
