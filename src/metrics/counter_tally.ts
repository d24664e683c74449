/**
 * Plain-number tallies in front of a prom-client counter, so the hot path never hashes labels.
 *
 * @module
 */
import type { Counter } from "prom-client";

interface Cell {
  value: number;
  flushed: number;
  labelValue: string;
}

/**
 * Counts into plain numbers keyed by label value (one `Map` lookup per call) and pushes the
 * growth into a prom-client `Counter` on {@linkcode CounterTally.flush}, which the owner calls
 * just before rendering. prom-client's own `inc()` hashes the label object on every call; this
 * avoids that on paths that run once per message.
 *
 * @typeParam K Type of the label value (numbers become strings once, when first seen).
 *
 * @example A counter labelled by message type
 * ```ts
 * import assert from "assert";
 * import { Counter, Registry } from "prom-client";
 * import { CounterTally } from "./counter_tally.ts";
 * const registry = new Registry();
 * const counter = new Counter({
 *   name: "demo_total",
 *   help: "Demo.",
 *   labelNames: ["type"],
 *   registers: [registry],
 * });
 * const tally = new CounterTally<string>(counter, "type");
 * tally.add(2, "chat");
 * tally.flush();
 * assert.ok(tally.total === 2);
 * ```
 */
export class CounterTally<K extends string | number = string> {
  readonly #counter: Counter<string>;
  readonly #labelName: string | undefined;
  readonly #cells = new Map<K | undefined, Cell>();
  /** The only cell of an unlabelled counter, which then needs no lookup. */
  readonly #unlabelled: Cell | null = null;
  #total = 0;

  /**
   * Wraps a counter.
   *
   * @param counter The prom-client counter to feed; it must have `labelName` as its only label,
   *   or no label when `labelName` is omitted.
   * @param labelName The counter's label, if it has one.
   */
  constructor(counter: Counter<string>, labelName?: string) {
    this.#counter = counter;
    this.#labelName = labelName;
    if (labelName === undefined) {
      this.#unlabelled = { value: 0, flushed: 0, labelValue: "" };
      this.#cells.set(undefined, this.#unlabelled);
    }
  }

  /** Sum over all label values, including what was not flushed yet. */
  get total(): number {
    return this.#total;
  }

  /**
   * Makes label values appear in the exposition with 0 before anything is counted for them.
   *
   * @param labelValues Label values to start at zero.
   */
  zero(...labelValues: K[]): void {
    for (const labelValue of labelValues) {
      this.add(0, labelValue);
      if (this.#labelName !== undefined) {
        this.#counter.inc({ [this.#labelName]: String(labelValue) }, 0);
      }
    }
  }

  /**
   * Adds to the tally. Negative, infinite or NaN amounts are ignored, so a bad figure from a
   * caller cannot break the exposition.
   *
   * @param amount How much to add.
   * @param labelValue The label value (omit for an unlabelled counter).
   */
  add(amount: number, labelValue?: K): void {
    if (!(amount >= 0 && amount < Number.POSITIVE_INFINITY)) return;
    let cell = this.#unlabelled ?? this.#cells.get(labelValue);
    if (cell === undefined) {
      cell = { value: 0, flushed: 0, labelValue: String(labelValue ?? "") };
      this.#cells.set(labelValue, cell);
    }
    cell.value += amount;
    this.#total += amount;
  }

  /** Pushes everything added since the last flush into the counter. */
  flush(): void {
    for (const cell of this.#cells.values()) {
      const delta = cell.value - cell.flushed;
      if (delta <= 0) continue;
      if (this.#labelName === undefined) {
        this.#counter.inc(delta);
      } else {
        this.#counter.inc({ [this.#labelName]: cell.labelValue }, delta);
      }
      cell.flushed = cell.value;
    }
  }
}
