/**
 * Reading a process's CPU time and resident memory from Linux `/proc`.
 *
 * @module
 */

/** USER_HZ: the unit of `utime`/`stime` in `/proc/PID/stat`, 100 on every mainstream Linux. */
export const CLOCK_TICKS_PER_SECOND = 100;

/** CPU time and memory of a process at one instant. */
export interface ProcessSample {
  /** User plus system CPU time since the process started, in seconds. */
  cpuSeconds: number;
  /** Resident set size in KiB. */
  rssKb: number;
}

/**
 * Extracts user plus system CPU ticks from the text of `/proc/PID/stat`.
 *
 * @param stat The file's text.
 * @returns `utime + stime` in clock ticks, or `null` when the text is not a stat line.
 *
 * @example A stat line whose command name contains spaces and parentheses
 * ```ts
 * import assert from "assert";
 * import { parseCpuTicks } from "./_proc.ts";
 * const line = "42 (a (b) c) S 1 1 1 0 -1 0 0 0 0 0 250 50 0 0 20 0 1 0 1 1 1";
 * assert.ok(parseCpuTicks(line) === 300);
 * ```
 */
export function parseCpuTicks(stat: string): number | null {
  const close = stat.lastIndexOf(")");
  if (close < 0) return null;
  // After the command name come fields 3.. (state first); utime and stime are fields 14 and 15.
  const fields = stat.slice(close + 2).trim().split(/\s+/);
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return Number.isInteger(utime) && Number.isInteger(stime) ? utime + stime : null;
}

/**
 * Extracts the resident set size from the text of `/proc/PID/status`.
 *
 * @param status The file's text.
 * @returns `VmRSS` in KiB, or `null` when the line is missing (e.g. a zombie process).
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { parseRssKb } from "./_proc.ts";
 * assert.ok(parseRssKb("Name:\tdeno\nVmRSS:\t  123456 kB\nThreads:\t9\n") === 123456);
 * ```
 */
export function parseRssKb(status: string): number | null {
  const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
  return match ? Number(match[1]) : null;
}

/**
 * Reads a process's CPU time and RSS.
 *
 * @param pid Process id.
 * @returns The sample, or `null` when the process is gone or `/proc` is unreadable.
 */
export function sampleProcess(pid: number): ProcessSample | null {
  try {
    const ticks = parseCpuTicks(Deno.readTextFileSync(`/proc/${pid}/stat`));
    const rssKb = parseRssKb(Deno.readTextFileSync(`/proc/${pid}/status`));
    if (ticks === null || rssKb === null) return null;
    return { cpuSeconds: ticks / CLOCK_TICKS_PER_SECOND, rssKb };
  } catch {
    return null;
  }
}

/**
 * Reads several processes (the nodes of a cluster and the redis-server they share) as one: CPU
 * times and RSS added up.
 *
 * @param pids Process ids.
 * @returns The sum, or `null` when there are none or any of them cannot be read.
 *
 * @example This process on its own
 * ```ts
 * import assert from "assert";
 * import { sampleProcesses } from "./_proc.ts";
 * assert.ok(sampleProcesses([Deno.pid])!.rssKb > 0 && sampleProcesses([]) === null);
 * ```
 */
export function sampleProcesses(pids: readonly number[]): ProcessSample | null {
  if (pids.length === 0) return null;
  const total: ProcessSample = { cpuSeconds: 0, rssKb: 0 };
  for (const pid of pids) {
    const sample = sampleProcess(pid);
    if (sample === null) return null;
    total.cpuSeconds += sample.cpuSeconds;
    total.rssKb += sample.rssKb;
  }
  return total;
}

/**
 * Extracts the machine's busy CPU ticks (all cores, everything but idle and iowait) from the
 * text of `/proc/stat`.
 *
 * @param stat The file's text.
 * @returns Busy ticks since boot, or `null` when the `cpu` line is missing.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { parseBusyTicks } from "./_proc.ts";
 * assert.ok(parseBusyTicks("cpu  100 5 50 1000 20 1 2 3 0 0\ncpu0 1 1 1 1\n") === 161);
 * ```
 */
export function parseBusyTicks(stat: string): number | null {
  const match = /^cpu\s+(.+)$/m.exec(stat);
  if (match === null) return null;
  const [user, nice, system, _idle, _iowait, irq = 0, softirq = 0, steal = 0] = match[1].trim()
    .split(/\s+/).map(Number);
  const busy = user + nice + system + irq + softirq + steal;
  return Number.isFinite(busy) ? busy : null;
}

/**
 * Reads the machine's busy CPU time, all cores together.
 *
 * @returns Busy seconds since boot, or `null` when `/proc/stat` is unreadable.
 */
export function sampleMachineBusy(): number | null {
  try {
    const ticks = parseBusyTicks(Deno.readTextFileSync("/proc/stat"));
    return ticks === null ? null : ticks / CLOCK_TICKS_PER_SECOND;
  } catch {
    return null;
  }
}
