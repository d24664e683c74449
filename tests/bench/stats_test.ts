import assert from "assert";
import { median, percentile, summarizeLatency } from "../../bench/_stats.ts";

Deno.test("percentile() uses the nearest rank", () => {
  const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
  assert.equal(percentile(sorted, 50), 50);
  assert.equal(percentile(sorted, 95), 95);
  assert.equal(percentile(sorted, 99), 99);
  assert.equal(percentile(sorted, 100), 100);
  assert.equal(percentile(sorted, 0), 1);
  assert.equal(percentile([7], 99), 7);
  assert.equal(percentile([1, 2, 3], 50), 2);
});

Deno.test("percentile() of no values is NaN", () => {
  assert.ok(Number.isNaN(percentile([], 50)));
});

Deno.test("summarizeLatency() reads only the filled samples and reports milliseconds", () => {
  const samples = new Float64Array(1000);
  for (let i = 0; i < 200; i++) samples[i] = (200 - i) * 1000; // 200 ms down to 1 ms
  const s = summarizeLatency(samples, 200);
  assert.equal(s.count, 200);
  assert.equal(s.p50, 100);
  assert.equal(s.p95, 190);
  assert.equal(s.p99, 198);
  assert.equal(s.max, 200);
});

Deno.test("summarizeLatency() of an empty window is all NaN", () => {
  const s = summarizeLatency(new Float64Array(4), 0);
  assert.equal(s.count, 0);
  assert.ok([s.p50, s.p95, s.p99, s.max].every(Number.isNaN));
});

Deno.test("median() skips missing values and averages the middle pair", () => {
  assert.equal(median([5, 1, 3]), 3);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.equal(median([null, 8, NaN]), 8);
  assert.equal(median([null, NaN]), null);
  assert.equal(median([]), null);
});
