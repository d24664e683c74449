/**
 * Process metrics (memory, CPU, open file descriptors, start time) that are real under Deno's
 * permission model.
 *
 * prom-client's `collectDefaultMetrics()` reads `/proc/self/status` and `/proc/self/fd`, which
 * Deno allows only under `--allow-all` (`--allow-read` is not enough): under the server's own
 * flags it reports 0 for resident memory and open fds. These gauges use `Deno.memoryUsage()`
 * and `process.cpuUsage()`, which need no permission, and report open fds only when
 * `/proc/self/fd` can really be read, instead of a false 0. Names are prom-client's
 * `collectDefaultMetrics()` names, unprefixed, so dashboards built for them work.
 *
 * @module
 */
import process from "node:process";
import { Counter, Gauge, type Registry } from "prom-client";

/** What {@linkcode registerProcessMetrics} could register. */
export interface ProcessMetricsReport {
  /** Whether "process_open_fds" is exported (needs `--allow-all` on Linux). */
  openFds: boolean;
}

/**
 * Registers the process metrics on a registry:
 * "process_resident_memory_bytes", "nodejs_heap_size_used_bytes",
 * "nodejs_heap_size_total_bytes", "nodejs_external_memory_bytes",
 * "process_cpu_seconds_total", "process_start_time_seconds" and, when readable,
 * "process_open_fds": the standard names, without roomd's prefix.
 *
 * @param registry The registry to add them to.
 * @returns Which optional metrics were registered.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { Registry } from "prom-client";
 * import { registerProcessMetrics } from "./process_metrics.ts";
 * const registry = new Registry();
 * registerProcessMetrics(registry);
 * const text = await registry.metrics();
 * assert.ok(text.includes("\nprocess_resident_memory_bytes "));
 * ```
 */
export function registerProcessMetrics(registry: Registry): ProcessMetricsReport {
  const registers = [registry];
  memoryGauge(
    registers,
    "process_resident_memory_bytes",
    "Resident memory size in bytes.",
    "rss",
  );
  memoryGauge(
    registers,
    "nodejs_heap_size_used_bytes",
    "V8 heap used in bytes.",
    "heapUsed",
  );
  memoryGauge(
    registers,
    "nodejs_heap_size_total_bytes",
    "V8 heap size in bytes.",
    "heapTotal",
  );
  memoryGauge(
    registers,
    "nodejs_external_memory_bytes",
    "Memory of C++ objects bound to JavaScript objects, in bytes.",
    "external",
  );

  let cpuMicros = 0;
  new Counter({
    name: "process_cpu_seconds_total",
    help: "User and system CPU time spent, in seconds.",
    registers,
    collect() {
      const usage = process.cpuUsage();
      const micros = usage.user + usage.system;
      if (micros > cpuMicros) this.inc((micros - cpuMicros) / 1e6);
      cpuMicros = micros;
    },
  });

  const start = new Gauge({
    name: "process_start_time_seconds",
    help: "Start time of the process since the Unix epoch, in seconds.",
    registers,
  });
  start.set(Math.round(performance.timeOrigin) / 1000);

  const openFds = countOpenFds() !== undefined;
  if (openFds) {
    new Gauge({
      name: "process_open_fds",
      help: "Number of open file descriptors.",
      registers,
      collect() {
        const count = countOpenFds();
        if (count !== undefined) this.set(count);
      },
    });
  }
  return { openFds };
}

function memoryGauge(
  registers: Registry[],
  name: string,
  help: string,
  field: keyof Deno.MemoryUsage,
): void {
  new Gauge({
    name,
    help,
    registers,
    collect() {
      this.set(Deno.memoryUsage()[field]);
    },
  });
}

/** Counts `/proc/self/fd` without the fd used to read it; undefined when it cannot be read. */
function countOpenFds(): number | undefined {
  const path = "/proc/self/fd";
  if (Deno.permissions.querySync({ name: "read", path }).state !== "granted") return undefined;
  try {
    return Array.from(Deno.readDirSync(path)).length - 1;
  } catch {
    return undefined;
  }
}
