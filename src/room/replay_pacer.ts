/**
 * Pacing a replay through a connection's send queue, so that a long backlog never passes the
 * slow-consumer cap (4408) the way the same bytes sent at once would.
 *
 * @module
 */

/** What the pacer watches. */
export interface PacedTarget {
  /** Bytes queued on the socket, not yet written to the network. */
  backlog(): number;
  /** Whether the connection is closing (the replay stops). */
  readonly closing: boolean;
}

/** Pacing settings. */
export interface PacerOptions {
  /** The connection's cap (`ROOMD_MAX_QUEUE_BYTES`). */
  maxQueueBytes: number;
  /** How often to read the backlog while waiting for it to drain (ms). */
  pollMs?: number;
  /** Give up when the backlog has not shrunk for this long (ms). */
  stallMs?: number;
  /** Waits `ms` (a fake in tests). */
  sleep?: (ms: number) => Promise<void>;
  /** Milliseconds clock. */
  now?: () => number;
}

/** Why a paced send did not happen. */
export type PaceResult = "ok" | "closed" | "stalled";

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Lets frames through while the socket's backlog stays below three quarters of the cap, then
 * waits (reading the backlog every `pollMs`) until it has drained below half. The backlog only
 * grows by what is sent, so between readings it is counted rather than read.
 *
 * @example Sends until the budget is used, then waits for the client to read
 * ```ts
 * import assert from "assert";
 * import { ReplayPacer } from "./replay_pacer.ts";
 * let backlog = 0;
 * const target = { backlog: () => backlog, closing: false };
 * const pacer = new ReplayPacer(target, { maxQueueBytes: 100, sleep: async () => { backlog = 0; } });
 * for (let i = 0; i < 7; i++) {
 *   assert.equal(pacer.ready(10), true);
 *   backlog += 10;
 * }
 * const wait = pacer.ready(10);
 * assert.ok(wait instanceof Promise);
 * assert.equal(await wait, "ok");
 * ```
 */
export class ReplayPacer {
  readonly #target: PacedTarget;
  readonly #high: number;
  readonly #low: number;
  readonly #pollMs: number;
  readonly #stallMs: number;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #now: () => number;
  /** Bytes that may still be sent before the backlog must be read again. */
  #budget = 0;

  /**
   * @param target The connection.
   * @param options Cap and timings.
   */
  constructor(target: PacedTarget, options: PacerOptions) {
    this.#target = target;
    this.#high = Math.floor(options.maxQueueBytes * 3 / 4);
    this.#low = Math.floor(options.maxQueueBytes / 2);
    this.#pollMs = options.pollMs ?? 5;
    this.#stallMs = options.stallMs ?? 30_000;
    this.#sleep = options.sleep ?? defaultSleep;
    this.#now = options.now ?? performance.now.bind(performance);
  }

  /**
   * Whether a frame of `bytes` may be sent now; the caller sends it when the answer is `true`
   * or, after waiting, `"ok"`.
   *
   * @param bytes The frame's size.
   * @returns `true` at once, or a promise of `"ok"`, `"closed"` or `"stalled"`.
   */
  ready(bytes: number): true | Promise<PaceResult> {
    if (bytes <= this.#budget) {
      this.#budget -= bytes;
      return true;
    }
    const backlog = this.#target.backlog();
    if (this.#fits(backlog, bytes)) {
      this.#budget = this.#high - backlog - bytes;
      return true;
    }
    return this.#wait(bytes, backlog);
  }

  /** A frame larger than the budget itself goes once the backlog is empty. */
  #fits(backlog: number, bytes: number): boolean {
    return backlog + bytes <= this.#high || backlog === 0;
  }

  async #wait(bytes: number, backlog: number): Promise<PaceResult> {
    let lowest = backlog;
    let since = this.#now();
    for (;;) {
      await this.#sleep(this.#pollMs);
      if (this.#target.closing) return "closed";
      backlog = this.#target.backlog();
      if (backlog <= this.#low && this.#fits(backlog, bytes)) {
        this.#budget = this.#high - backlog - bytes;
        return "ok";
      }
      if (backlog < lowest) {
        lowest = backlog;
        since = this.#now();
      } else if (this.#now() - since > this.#stallMs) return "stalled";
    }
  }
}
