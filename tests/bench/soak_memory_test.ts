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
  // A CI smoke's readings after warm-up: a collection handed 21 MiB back, then the heap
  // returned to its level.
  const dip = series([159.6, 138.3, 147.7, 154.0, 155.7, 157.5, 158.7, 160.4, 159.9]);
  const trend = memoryTrend(dip, 0)!;
  assert.equal(trend.firstMiB, 147.7);
  assert.equal(trend.grows, false);
});

Deno.test("memoryTrend() still catches a leak that moves the whole last third", () => {
  const leak = series(Array.from({ length: 30 }, (_, i) => 150 + i * 3 + (i % 3) * 4));
  const trend = memoryTrend(leak, 0)!;
  assert.equal(trend.grows, true);
  assert.ok(trend.lastMiB - trend.firstMiB > 16);
});
