/**
 * Which rates a ramp tries. Multiplying by 1.5 finds the region quickly, but on its own it can only
 * report rates on a ×1.5 grid, a coarser step than the differences a comparison looks for. After
 * the first step that fails, the plan narrows the gap between the highest rate that held and the
 * lowest that failed, halving it (geometrically) a few times.
 *
 * @module
 */

/** Each ramp step multiplies the rate by this until a step fails. */
export const RAMP_FACTOR = 1.5;
/** Steps spent narrowing the gap after the first failure: the last one is within about 5%. */
export const RAMP_REFINE_STEPS = 3;

/**
 * The rate of the next ramp step, from the outcomes so far.
 *
 * @example Raise, fail, then narrow
 * ```ts
 * import assert from "assert";
 * import { RampPlan } from "./_ramp_plan.ts";
 * const plan = new RampPlan(10);
 * const tried: number[] = [];
 * for (const holds of [true, true, false, true, false, true]) {
 *   tried.push(Math.round(plan.rate! * 100) / 100);
 *   plan.record(holds);
 * }
 * assert.deepStrictEqual(tried, [10, 15, 22.5, 18.37, 20.33, 19.33]);
 * assert.ok(plan.rate === null);
 * ```
 */
export class RampPlan {
  #rate: number | null;
  #held: number | null = null;
  #failed: number | null = null;
  #refined = 0;

  /** @param start The first step's rate (msg/s per publisher). */
  constructor(start: number) {
    this.#rate = start;
  }

  /** The rate to try next, or `null` when the ramp is done. */
  get rate(): number | null {
    return this.#rate;
  }

  /** Whether a step has failed, so the plan is narrowing instead of raising. */
  get narrowing(): boolean {
    return this.#failed !== null;
  }

  /**
   * Records how the step at {@linkcode RampPlan.rate} went and picks the next rate.
   *
   * @param holds Whether the step held.
   */
  record(holds: boolean): void {
    const rate = this.#rate;
    if (rate === null) throw new Error("Cannot record a ramp step: the ramp is done");
    // Every new rate lies above the last that held and below the first that failed, so the
    // newest outcome is always the tighter bound.
    if (holds) this.#held = rate;
    else this.#failed = rate;
    if (this.#failed === null) {
      this.#rate = rate * RAMP_FACTOR;
    } else if (this.#held === null || this.#refined === RAMP_REFINE_STEPS) {
      this.#rate = null;
    } else {
      this.#refined++;
      this.#rate = Math.sqrt(this.#held * this.#failed);
    }
  }
}
