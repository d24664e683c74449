import assert from "assert";
import { RAMP_REFINE_STEPS, RampPlan } from "../../bench/_ramp_plan.ts";

/** Rates the plan tries for the given step outcomes, rounded to 0.01. */
function tried(start: number, outcomes: boolean[]): number[] {
  const plan = new RampPlan(start);
  const rates: number[] = [];
  for (const holds of outcomes) {
    assert.notEqual(plan.rate, null, `the plan ended after ${rates.length} steps`);
    rates.push(Math.round(plan.rate! * 100) / 100);
    plan.record(holds);
  }
  return rates;
}

Deno.test("RampPlan raises the rate by half while steps hold", () => {
  assert.deepStrictEqual(tried(10, [true, true, true, true]), [10, 15, 22.5, 33.75]);
});

Deno.test("RampPlan narrows between the highest rate that held and the lowest that failed", () => {
  // 100 held, 150 failed; then √(100·150) = 122.47 failed, √(100·122.47) = 110.67 held and
  // √(110.67·122.47) = 116.42 held: three narrowing steps, each between the current bounds.
  assert.deepStrictEqual(tried(100, [true, false, false, true, true]), [
    100,
    150,
    122.47,
    110.67,
    116.42,
  ]);
});

Deno.test("RampPlan stops after its narrowing steps, and at once when the first step fails", () => {
  const plan = new RampPlan(10);
  plan.record(true);
  plan.record(false);
  for (let i = 0; i < RAMP_REFINE_STEPS; i++) {
    assert.ok(plan.narrowing && plan.rate !== null);
    plan.record(true);
  }
  assert.equal(plan.rate, null);
  const failedAtOnce = new RampPlan(10);
  failedAtOnce.record(false);
  assert.equal(failedAtOnce.rate, null);
  assert.throws(() => failedAtOnce.record(true), /the ramp is done/);
});
