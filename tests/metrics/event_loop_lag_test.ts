import assert from "assert";
import FakeTimers from "@sinonjs/fake-timers";
import { EventLoopLagSampler } from "../../src/metrics/event_loop_lag.ts";

function fakeTimers(): FakeTimers.InstalledClock {
  return FakeTimers.withGlobal(globalThis).install({ toFake: ["setTimeout", "clearTimeout"] });
}

Deno.test("EventLoopLagSampler reports how late its timer ran", () => {
  const timers = fakeTimers();
  let now = 0;
  const samples: number[] = [];
  const sampler = new EventLoopLagSampler({
    intervalMs: 500,
    clock: () => now,
    onSample: (lag) => samples.push(lag),
  });
  try {
    sampler.start();
    now = 620;
    timers.tick(500);
    assert.deepEqual(samples, [0.12]);
    assert.equal(sampler.lagSeconds, 0.12);
    now = 1_120;
    timers.tick(500);
    assert.deepEqual(samples, [0.12, 0]);
    assert.equal(sampler.lagSeconds, 0);
  } finally {
    sampler.stop();
    timers.uninstall();
  }
});

Deno.test("EventLoopLagSampler.stop() clears the pending timer and start() does not stack timers", () => {
  const timers = fakeTimers();
  const sampler = new EventLoopLagSampler();
  try {
    sampler.start();
    sampler.start();
    assert.equal(timers.countTimers(), 1);
    assert.equal(sampler.running, true);
    timers.tick(5_000);
    assert.equal(timers.countTimers(), 1);
    sampler.stop();
    assert.equal(timers.countTimers(), 0);
    assert.equal(sampler.running, false);
    sampler.stop();
  } finally {
    timers.uninstall();
  }
});

Deno.test("EventLoopLagSampler stopped from its own callback schedules nothing more", () => {
  const timers = fakeTimers();
  const sampler: EventLoopLagSampler = new EventLoopLagSampler({
    intervalMs: 100,
    onSample: () => sampler.stop(),
  });
  try {
    sampler.start();
    timers.tick(100);
    assert.equal(timers.countTimers(), 0);
    assert.equal(sampler.running, false);
  } finally {
    timers.uninstall();
  }
});

Deno.test("EventLoopLagSampler samples on real, unref'd timers", async () => {
  const { promise, resolve } = Promise.withResolvers<number>();
  const sampler = new EventLoopLagSampler({ intervalMs: 1, onSample: resolve });
  // The sampler's timer does not keep the event loop alive; this one does, until the sample.
  const keepAlive = setTimeout(() => {}, 60_000);
  try {
    sampler.start();
    const lag = await promise;
    assert.ok(Number.isFinite(lag) && lag >= 0);
  } finally {
    sampler.stop();
    clearTimeout(keepAlive);
  }
});

Deno.test("EventLoopLagSampler rejects an interval that is not positive", () => {
  assert.throws(() => new EventLoopLagSampler({ intervalMs: 0 }), RangeError);
  assert.throws(() => new EventLoopLagSampler({ intervalMs: Number.NaN }), RangeError);
});
