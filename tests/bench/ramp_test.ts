import assert from "assert";
import { rampStepProblem } from "../../bench/_modes.ts";

const step = (
  sent: number,
  plannedSent: number,
  delivered: number,
  expected: number,
  p99: number,
) => ({
  sent,
  plannedSent,
  delivered,
  expected,
  latencyMs: { p99 },
});

Deno.test("rampStepProblem() accepts a step that delivered 95% within 250 ms", () => {
  assert.equal(rampStepProblem(step(100, 100, 950, 1000, 250), 1), null);
});

Deno.test("rampStepProblem() allows one message per publisher of slack at the window edges", () => {
  assert.equal(rampStepProblem(step(4, 5, 12, 12, 3), 1), null);
  assert.match(
    rampStepProblem(step(3, 5, 9, 9, 3), 1)!,
    /fell behind its send schedule \(sent 3 of 5\)/,
  );
});

Deno.test("rampStepProblem() fails a step under 95% delivered", () => {
  assert.equal(
    rampStepProblem(step(100, 100, 949, 1000, 5), 1),
    "only 94.9% of expected deliveries arrived",
  );
});

Deno.test("rampStepProblem() fails a step with p99 over 250 ms or no latency at all", () => {
  assert.equal(rampStepProblem(step(100, 100, 1000, 1000, 251), 1), "p99 was 251 ms (over 250 ms)");
  assert.match(rampStepProblem(step(100, 100, 1000, 1000, NaN), 1)!, /^p99 was NaN ms/);
});
