import assert from "assert";
import {
  CLOCK_TICKS_PER_SECOND,
  parseBusyTicks,
  parseCpuTicks,
  parseRssKb,
  sampleProcess,
  sampleProcesses,
} from "../../bench/_proc.ts";

const STAT =
  "4242 (deno (main) x) S 1 4242 4242 0 -1 4194560 9011 0 0 0 1234 567 0 0 20 0 9 0 100 " +
  "1000000 30000 18446744073709551615 1 1 0 0 0 0 0 4096 0 0 0 0 17 1 0 0 0 0 0\n";

Deno.test("parseCpuTicks() adds utime and stime after a command name with spaces and parens", () => {
  assert.equal(parseCpuTicks(STAT), 1234 + 567);
});

Deno.test("parseCpuTicks() returns null for text that is not a stat line", () => {
  assert.equal(parseCpuTicks("no parenthesis here"), null);
  assert.equal(parseCpuTicks("1 (x) S 1 2"), null);
});

Deno.test("parseRssKb() reads VmRSS and returns null when it is missing", () => {
  const status = "Name:\tdeno\nVmPeak:\t 900 kB\nVmRSS:\t   51234 kB\nRssAnon:\t 40000 kB\n";
  assert.equal(parseRssKb(status), 51234);
  assert.equal(parseRssKb("Name:\tzombie\nState:\tZ (zombie)\n"), null);
});

Deno.test("parseBusyTicks() counts user, nice, system, irq, softirq and steal but not idle", () => {
  const stat = "cpu  10 2 30 4000 50 6 7 8 0 0\ncpu0 5 1 15 2000 25 3 3 4 0 0\nintr 1\n";
  assert.equal(parseBusyTicks(stat), 10 + 2 + 30 + 6 + 7 + 8);
  assert.equal(parseBusyTicks("intr 1\n"), null);
});

Deno.test("sampleProcess() reads this process and returns null for a missing one", () => {
  const self = sampleProcess(Deno.pid);
  assert.ok(self !== null);
  assert.ok(self.rssKb > 1000, `rss ${self.rssKb} kB`);
  // A whole number of clock ticks, up to floating-point rounding (29 / 100 * 100 is not 29).
  const ticks = self.cpuSeconds * CLOCK_TICKS_PER_SECOND;
  assert.ok(self.cpuSeconds >= 0 && Math.abs(ticks - Math.round(ticks)) < 1e-6, `${ticks} ticks`);
  assert.equal(sampleProcess(2 ** 31 - 1), null);
});

Deno.test("sampleProcesses() adds up the processes and returns null when any is missing", () => {
  const one = sampleProcesses([Deno.pid])!;
  const twice = sampleProcesses([Deno.pid, Deno.pid])!;
  assert.ok(Math.abs(twice.rssKb - 2 * one.rssKb) <= 0.05 * twice.rssKb, `${twice.rssKb} kB`);
  assert.ok(twice.cpuSeconds >= 2 * one.cpuSeconds);
  assert.equal(sampleProcesses([Deno.pid, 2 ** 31 - 1]), null);
  assert.equal(sampleProcesses([]), null);
});
