import assert from "assert";
import {
  latencyHistogram,
  median,
  mergeHistograms,
  percentile,
  summarizeHistogram,
  summarizeLatency,
} from "../../bench/_stats.ts";

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

Deno.test("a histogram gives the percentiles of its samples to 10 µs", () => {
  const samples = Float64Array.from({ length: 1000 }, (_, i) => 1000 + 37 * i);
  const exact = summarizeLatency(samples.slice(), samples.length);
  const binned = summarizeHistogram(latencyHistogram(samples, samples.length));
  assert.equal(binned.count, 1000);
  for (const key of ["p50", "p95", "p99", "max"] as const) {
    assert.ok(binned[key] <= exact[key] && exact[key] - binned[key] < 0.01, key);
  }
});

Deno.test("histograms of two load processes merge into those of all their samples", () => {
  const fast = Float64Array.from({ length: 990 }, () => 1000);
  const slow = Float64Array.from({ length: 10 }, () => 20_000);
  const one = summarizeHistogram(latencyHistogram(fast, fast.length));
  assert.equal(one.p99, 1);
  const both = summarizeHistogram(
    mergeHistograms([latencyHistogram(fast, fast.length), latencyHistogram(slow, slow.length)]),
  );
  assert.deepEqual(both, { count: 1000, p50: 1, p95: 1, p99: 1, max: 20 });
  const worse = summarizeHistogram(mergeHistograms([
    latencyHistogram(fast, fast.length),
    latencyHistogram(slow, slow.length),
    latencyHistogram(slow, slow.length),
  ]));
  assert.equal(worse.p99, 20, "20 slow samples of 1,010 are more than 1%");
  assert.ok(Number.isNaN(summarizeHistogram([]).p99));
});
