import assert from "assert";
import FakeTimers from "@sinonjs/fake-timers";
import { ExpiryScheduler } from "../../src/session/expiry_scheduler.ts";

Deno.test("ExpiryScheduler fires each deadline once, in deadline order, with one timer", () => {
  const clock = FakeTimers.install({ toFake: ["setTimeout", "clearTimeout", "Date"], now: 0 });
  const scheduler = new ExpiryScheduler();
  try {
    const fired: string[] = [];
    scheduler.add(300, { expire: () => fired.push("c") });
    scheduler.add(100, { expire: () => fired.push("a") });
    scheduler.add(200, { expire: () => fired.push("b") });
    scheduler.add(200, { expire: () => fired.push("b2") });
    assert.equal(clock.countTimers(), 1);
    clock.tick(99);
    assert.deepEqual(fired, []);
    clock.tick(1);
    assert.deepEqual(fired, ["a"]);
    clock.tick(200);
    assert.deepEqual(fired.sort(), ["a", "b", "b2", "c"]);
    assert.equal(scheduler.size, 0);
    assert.equal(clock.countTimers(), 0);
  } finally {
    scheduler.close();
    clock.uninstall();
  }
});

Deno.test("ExpiryScheduler never fires a cancelled deadline and re-arms for an earlier one", () => {
  const clock = FakeTimers.install({ toFake: ["setTimeout", "clearTimeout", "Date"], now: 0 });
  const scheduler = new ExpiryScheduler();
  try {
    const fired: string[] = [];
    const late = scheduler.add(1000, { expire: () => fired.push("late") });
    scheduler.add(50, { expire: () => fired.push("early") });
    const mid = scheduler.add(500, { expire: () => fired.push("mid") });
    mid.cancel();
    mid.cancel();
    clock.tick(50);
    assert.deepEqual(fired, ["early"]);
    late.cancel();
    clock.tick(2000);
    assert.deepEqual(fired, ["early"]);
    assert.equal(clock.countTimers(), 0);
  } finally {
    scheduler.close();
    clock.uninstall();
  }
});

Deno.test("ExpiryScheduler keeps order across thousands of random deadlines", () => {
  const clock = FakeTimers.install({ toFake: ["setTimeout", "clearTimeout", "Date"], now: 0 });
  const scheduler = new ExpiryScheduler();
  try {
    const fired: number[] = [];
    for (let i = 0; i < 5000; i++) {
      const at = 1 + Math.floor(Math.random() * 10_000);
      scheduler.add(at, { expire: () => fired.push(Date.now() >= at ? at : -1) });
    }
    clock.tick(10_001);
    assert.equal(fired.length, 5000);
    assert.ok(fired.every((at, i) => at > 0 && (i === 0 || at >= fired[i - 1])));
  } finally {
    scheduler.close();
    clock.uninstall();
  }
});
