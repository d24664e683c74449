/**
 * Reconnect penalties for clients closed with 1009: the runtime buffers a whole frame before
 * roomd can refuse it, so a client that keeps sending oversized frames must at least not be
 * able to do it again at once.
 *
 * @module
 */
import type { Clock } from "./token_bucket.ts";

/** The first penalty; each further strike doubles it. */
export const PENALTY_BASE_MS = 1_000;
/** The longest penalty. */
export const PENALTY_CAP_MS = 5 * 60_000;
/** Each stretch this long without a strike forgets one strike. */
export const PENALTY_DECAY_MS = 10 * 60_000;
/** Keys kept before forgotten ones are first swept out. */
export const SWEEP_AT = 10_000;

interface Record {
  strikes: number;
  /** When the last strike was counted, which also starts its penalty. */
  last: number;
}

/**
 * Penalties by key (e.g. `ip:…` and `user:…`): after the n-th strike a key waits
 * `PENALTY_BASE_MS × 2^(n-1)`, at most {@linkcode PENALTY_CAP_MS}; strikes decay one per
 * {@linkcode PENALTY_DECAY_MS} of good behaviour. Forgotten keys are swept out once the table
 * holds {@linkcode SWEEP_AT} keys, and after each sweep once it holds twice what the sweep kept:
 * each strike then costs O(1) however many keys have strikes, and the table holds at most twice
 * the keys not yet forgotten.
 *
 * @example Doubling penalties
 * ```ts
 * import assert from "assert";
 * import { OversizePenalties } from "./oversize_penalties.ts";
 * let now = 0;
 * const penalties = new OversizePenalties(() => now);
 * penalties.strike("ip:10.0.0.1");
 * assert.equal(penalties.waitSeconds("ip:10.0.0.1"), 1);
 * now = 1_000;
 * assert.equal(penalties.waitSeconds("ip:10.0.0.1"), 0);
 * penalties.strike("ip:10.0.0.1");
 * assert.equal(penalties.waitSeconds("ip:10.0.0.1"), 2);
 * ```
 */
export class OversizePenalties {
  readonly #records = new Map<string, Record>();
  readonly #clock: Clock;
  /** The table's size that starts the next sweep. */
  #sweepAt = SWEEP_AT;

  /** @param clock Milliseconds clock. */
  constructor(clock: Clock = Date.now) {
    this.#clock = clock;
  }

  /**
   * Counts one strike against `key`.
   *
   * @param key E.g. `ip:127.0.0.1` or `user:42`.
   */
  strike(key: string): void {
    const now = this.#clock();
    const record = this.#records.get(key);
    if (!record) {
      if (this.#records.size >= this.#sweepAt) this.#sweep(now);
      this.#records.set(key, { strikes: 1, last: now });
      return;
    }
    record.strikes = decayed(record, now) + 1;
    record.last = now;
  }

  /**
   * How long `key` must still wait.
   *
   * @param key The key given to {@linkcode OversizePenalties.strike}.
   * @returns 0 when it may connect, else whole seconds to wait (for `Retry-After`).
   */
  waitSeconds(key: string): number {
    const record = this.#records.get(key);
    if (!record) return 0;
    const left = record.last + penaltyMs(record.strikes) - this.#clock();
    return left > 0 ? Math.ceil(left / 1000) : 0;
  }

  /** Keys held now. */
  get size(): number {
    return this.#records.size;
  }

  #sweep(now: number): void {
    for (const [key, record] of this.#records) {
      if (decayed(record, now) === 0) this.#records.delete(key);
    }
    this.#sweepAt = Math.max(SWEEP_AT, 2 * this.#records.size);
  }
}

function penaltyMs(strikes: number): number {
  return Math.min(PENALTY_CAP_MS, PENALTY_BASE_MS * 2 ** Math.min(strikes - 1, 30));
}

function decayed(record: Record, now: number): number {
  return Math.max(0, record.strikes - Math.floor((now - record.last) / PENALTY_DECAY_MS));
}
