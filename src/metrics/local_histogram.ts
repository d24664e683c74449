/**
 * A histogram without labels that records into plain numbers and writes its own exposition,
 * for durations observed once per message.
 *
 * @module
 */

/**
 * Cumulative-bucket histogram in the Prometheus text format. `observe` is a short scan and
 * three additions; prom-client's `Histogram.observe` hashes a label object on every call,
 * which the broadcast path cannot afford.
 *
 * @example Two observations
 * ```ts
 * import assert from "assert";
 * import { LocalHistogram } from "./local_histogram.ts";
 * const histogram = new LocalHistogram("demo_seconds", "Demo.", [0.1, 1]);
 * histogram.observe(0.05);
 * histogram.observe(5);
 * assert.ok(histogram.render().includes('demo_seconds_bucket{le="0.1"} 1\n'));
 * assert.ok(histogram.render().includes('demo_seconds_bucket{le="+Inf"} 2\n'));
 * ```
 */
export class LocalHistogram {
  readonly #name: string;
  readonly #help: string;
  readonly #bounds: readonly number[];
  /** Observations per bucket (not cumulative); the last one is `+Inf`. */
  readonly #counts: Float64Array;
  #sum = 0;

  /**
   * @param name Full metric name.
   * @param help Help text.
   * @param bounds Upper bounds, ascending.
   */
  constructor(name: string, help: string, bounds: readonly number[]) {
    this.#name = name;
    this.#help = help;
    this.#bounds = bounds;
    this.#counts = new Float64Array(bounds.length + 1);
  }

  /**
   * Records one value; NaN and infinities are ignored, so a bad figure cannot break the
   * exposition.
   *
   * @param value The observed value.
   */
  observe(value: number): void {
    if (!Number.isFinite(value)) return;
    const bounds = this.#bounds;
    let i = 0;
    while (i < bounds.length && value > bounds[i]) i++;
    this.#counts[i]++;
    this.#sum += value;
  }

  /**
   * The histogram in the Prometheus text format.
   *
   * @returns `# HELP`, `# TYPE`, the cumulative buckets, `_sum` and `_count`, each line ending
   * in a newline.
   */
  render(): string {
    const name = this.#name;
    let text = `# HELP ${name} ${this.#help}\n# TYPE ${name} histogram\n`;
    let cumulative = 0;
    for (let i = 0; i < this.#bounds.length; i++) {
      cumulative += this.#counts[i];
      text += `${name}_bucket{le="${this.#bounds[i]}"} ${cumulative}\n`;
    }
    const count = cumulative + this.#counts[this.#bounds.length];
    text += `${name}_bucket{le="+Inf"} ${count}\n`;
    return text + `${name}_sum ${this.#sum}\n${name}_count ${count}\n`;
  }
}
