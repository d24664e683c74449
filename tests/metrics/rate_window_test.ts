import assert from "assert";
import { RateWindow } from "../../src/metrics/rate_window.ts";

Deno.test("RateWindow.count() sums the slots inside the window only", () => {
  const window = new RateWindow(300, 1_000, 0);
  window.add(0, 5);
  window.add(30_000, 2);
  window.add(250_000, 1);
  window.add(250_999);
  assert.equal(window.count(250_999, 60_000), 2);
  assert.equal(window.count(250_999, 300_000), 9);
  assert.equal(window.count(250_999, 1), 2);
  assert.equal(window.count(300_000, 300_000), 4);
});

Deno.test("RateWindow forgets a slot when the ring comes round to it again", () => {
  const window = new RateWindow(3, 1_000, 0);
  window.add(0, 10);
  window.add(3_000, 1);
  assert.equal(window.count(3_000), 1);
  window.add(5_500, 1);
  assert.equal(window.count(5_500), 2);
  assert.equal(window.count(6_000), 1);
});

Deno.test("RateWindow.rate() divides by the time covered since start, at least one slot", () => {
  const window = new RateWindow(300, 1_000, 10_000);
  window.add(10_000, 3);
  assert.equal(window.rate(10_000, 60_000), 3);
  assert.equal(window.rate(10_500, 60_000), 3);
  assert.equal(window.rate(13_000, 60_000), 1);
  assert.equal(window.rate(70_000, 300_000), 0.05);
  assert.equal(window.rate(70_000, 60_000), 0);
});

Deno.test("RateWindow.rate() over a full window divides by the window length", () => {
  const window = new RateWindow(300, 1_000, 0);
  for (let t = 0; t < 600_000; t += 250) window.add(t);
  assert.ok(Math.abs(window.rate(599_999, 60_000) - 4) < 0.001);
  assert.ok(Math.abs(window.rate(599_999, 300_000) - 4) < 0.001);
  assert.equal(window.count(599_999, 60_000), 240);
});

Deno.test("RateWindow records the time of its latest event", () => {
  const window = new RateWindow(10, 1_000, 0);
  assert.equal(window.lastEventMs, Number.NEGATIVE_INFINITY);
  window.add(5_000);
  window.add(2_000);
  assert.equal(window.lastEventMs, 5_000);
  assert.equal(window.spanMs, 10_000);
});

Deno.test("RateWindow rejects a ring without slots or with fractional slot widths", () => {
  assert.throws(() => new RateWindow(0, 1_000, 0), RangeError);
  assert.throws(() => new RateWindow(10, 0.5, 0), RangeError);
});
