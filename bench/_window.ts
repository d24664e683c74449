/**
 * One measured window: count what publishers send and receivers get for a few seconds, then
 * drain in-flight deliveries (at most 2 s) and read server and tool CPU around it.
 *
 * @module
 */
import type { LoadOptions } from "./_args.ts";
import { checkMembers } from "./_members.ts";
import { nowMicros } from "./_meter.ts";
import { sampleMachineBusy, sampleProcess, sampleProcesses } from "./_proc.ts";
import { progress } from "./_progress.ts";
import type { Publisher } from "./_publisher.ts";
import type { WindowResult } from "./_result.ts";
import type { Session } from "./_session.ts";

/** Longest wait for in-flight deliveries after sending stops. */
export const DRAIN_MS = 2000;
const MAX_SAMPLES = 25_000_000;

/**
 * Measures `seconds` of publishing at the publisher's current rate, then stops it and drains.
 *
 * @param session The open clients.
 * @param publisher Publishing already, at `rate`.
 * @param rate The publisher's rate (for the report and the plan).
 * @param seconds Window length.
 * @param options Run options (pids, sizes).
 * @param label Progress line prefix.
 * @returns The window's figures.
 */
export async function measureWindow(
  session: Session,
  publisher: Publisher,
  rate: number,
  seconds: number,
  options: LoadOptions,
  label: string,
): Promise<WindowResult> {
  const receivers = options.clientsPerRoom - 1;
  const plannedSent = Math.round(session.publishers.length * rate * seconds);
  const plannedExpected = plannedSent * receivers;
  const from = nowMicros();
  const to = from + Math.round(seconds * 1e6);
  session.meter.openWindow(
    from,
    to,
    Math.min(Math.ceil(plannedExpected * 1.2) + 1024, MAX_SAMPLES),
  );
  publisher.openWindow(from, to);
  const server0 = sampleProcesses(options.pids);
  const each0 = options.pids.map(sampleProcess);
  const tool0 = sampleProcess(Deno.pid);
  const machine0 = sampleMachineBusy();
  let rssPeak = server0?.rssKb ?? null;
  const ticker = setInterval(() => {
    const s = sampleProcesses(options.pids);
    if (s !== null && rssPeak !== null) rssPeak = Math.max(rssPeak, s.rssKb);
    const t = ((nowMicros() - from) / 1e6).toFixed(0);
    progress(
      `${label} ${t}/${seconds} s  sent ${publisher.sentInWindow}  delivered ` +
        `${session.meter.delivered}` + (s ? `  server rss ${(s.rssKb / 1024).toFixed(0)} MB` : ""),
    );
  }, 1000);
  await sleep((to - nowMicros()) / 1000);
  publisher.stop();
  clearInterval(ticker);
  const expected = publisher.sentInWindow * receivers;
  const drainEnd = performance.now() + DRAIN_MS;
  while (session.meter.delivered < expected && performance.now() < drainEnd) await sleep(20);
  const wall = (nowMicros() - from) / 1e6;
  const server1 = sampleProcesses(options.pids);
  const each1 = options.pids.map(sampleProcess);
  const tool1 = sampleProcess(Deno.pid);
  const machine1 = sampleMachineBusy();
  const delivered = session.meter.delivered;
  const members = checkMembers(
    session.meter.perMember(),
    publisher.sentInWindowBy,
    options.clientsPerRoom,
    options.publishersPerRoom,
  );
  const serverCpu = server0 && server1 ? server1.cpuSeconds - server0.cpuSeconds : null;
  const toolCpu = tool0 && tool1 ? tool1.cpuSeconds - tool0.cpuSeconds : 0;
  const machineCpu = machine0 !== null && machine1 !== null ? machine1 - machine0 : null;
  const otherCpu = machineCpu === null ? null : machineCpu - toolCpu - (serverCpu ?? 0);
  if (server1 !== null && rssPeak !== null) rssPeak = Math.max(rssPeak, server1.rssKb);
  return {
    rate,
    seconds,
    sent: publisher.sentInWindow,
    plannedSent,
    expected,
    plannedExpected,
    delivered,
    deliveredPerSec: delivered / seconds,
    lossPct: expected > 0 ? Math.max(0, 100 * (1 - delivered / expected)) : 0,
    membersShort: members.short,
    membersOver: members.over,
    latencyMs: session.meter.latency(),
    latencyHistogramUs: session.meter.latencyHistogram(),
    serverCpuSeconds: serverCpu,
    serverCpuSecondsEach: options.pids.map((_, i) => {
      const [a, b] = [each0[i], each1[i]];
      return a && b ? b.cpuSeconds - a.cpuSeconds : null;
    }),
    serverCpuPct: serverCpu === null ? null : (100 * serverCpu) / wall,
    serverCpuUsPerMsg: serverCpu === null || delivered === 0 ? null : (serverCpu * 1e6) / delivered,
    serverRssPeakKb: options.pids.length === 0 ? null : rssPeak,
    toolCpuSeconds: toolCpu,
    toolCpuPct: (100 * toolCpu) / wall,
    otherCpuPct: otherCpu === null ? null : Math.max(0, (100 * otherCpu) / wall),
  };
}

/**
 * Waits.
 *
 * @param ms Milliseconds (≤ 0 returns at once).
 * @returns A promise that resolves after `ms`.
 */
export function sleep(ms: number): Promise<void> {
  return ms <= 0 ? Promise.resolve() : new Promise((resolve) => setTimeout(resolve, ms));
}
