import assert from "assert";
import { type MemorySample, memoryTrend } from "../../bench/_soak_memory.ts";

const series = (values: number[], everyS = 5): MemorySample[] =>
  values.map((rssMiB, i) => ({ atS: i * everyS, rssMiB }));

Deno.test("memoryTrend() calls a sawtooth around one level flat", () => {
  const sawtooth = series(Array.from({ length: 30 }, (_, i) => 150 + (i % 6) * 4));
  const trend = memoryTrend(sawtooth, 0)!;
  assert.equal(trend.grows, false);
  assert.ok(Math.abs(trend.slopeMiBPerMin) < 5);
});

Deno.test("memoryTrend() does not take one collection's dip in the first third for a baseline", () => {
  // The CI smoke's readings after warm-up: a collection handed 20 MiB back, then the heap
  // returned towards its level.
  const dip = series([155.4, 156.1, 134.4, 136.5, 147.6, 150.6, 151.5, 152.3, 153.5]);
  const trend = memoryTrend(dip, 0)!;
  assert.equal(trend.firstMinMiB, 134.4);
  assert.ok(trend.lastMinMiB - trend.firstMinMiB > 16, "a minimums-only test would fail it");
  assert.equal(trend.grows, false);
});

Deno.test("memoryTrend() still catches a leak that outgrows the collector's swing", () => {
  const leak = series(Array.from({ length: 30 }, (_, i) => 150 + i * 3 + (i % 3) * 4));
  const trend = memoryTrend(leak, 0)!;
  assert.equal(trend.grows, true);
  assert.ok(trend.lastMinMiB - trend.firstMinMiB > trend.firstSwingMiB);
});
