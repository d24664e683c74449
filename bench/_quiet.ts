/**
 * Waiting for a quiet machine before a measurement, so another process's burst does not land in
 * it (the machine is shared).
 *
 * @module
 */
import { sampleMachineBusy } from "./_proc.ts";
import { sleep } from "./_window.ts";

/**
 * Waits (at most `maxS` seconds) until the machine is nearly idle, so another process's burst
 * does not land in a measurement.
 *
 * @param maxS Longest wait in seconds.
 * @param thresholdPct Busy share, % of one core, that counts as idle.
 * @returns The busy share of the last second, or `null` when `/proc/stat` is unreadable.
 */
export async function awaitQuiet(maxS = 60, thresholdPct = 25): Promise<number | null> {
  let busyPct: number | null = null;
  for (let i = 0; i < maxS; i++) {
    const before = sampleMachineBusy();
    await sleep(1000);
    const after = sampleMachineBusy();
    if (before === null || after === null) return null;
    busyPct = 100 * (after - before);
    if (busyPct <= thresholdPct) break;
  }
  return busyPct;
}
