/**
 * Event-loop lag: how late a timer fires compared with when it was due.
 *
 * @module
 */

/** Options for {@linkcode EventLoopLagSampler}. */
export interface EventLoopLagOptions {
  /** Time between samples in milliseconds (default 500). */
  intervalMs?: number;
  /** Monotonic clock in milliseconds (default `performance.now()`). */
  clock?: () => number;
  /** Called with each sample, in seconds. */
  onSample?: (lagSeconds: number) => void;
}

/**
 * Samples event-loop lag with a chain of unref'd timers: each timer is due `intervalMs` after
 * it was set, and the lag is how much later than that it ran. The timers never keep the
 * process alive; {@linkcode EventLoopLagSampler.stop} clears the pending one.
 *
 * @example Start, read, stop
 * ```ts
 * import assert from "assert";
 * import { EventLoopLagSampler } from "./event_loop_lag.ts";
 * const sampler = new EventLoopLagSampler({ intervalMs: 500 });
 * sampler.start();
 * assert.ok(sampler.lagSeconds === 0);
 * sampler.stop();
 * ```
 */
export class EventLoopLagSampler {
  readonly #intervalMs: number;
  readonly #clock: () => number;
  readonly #onSample: ((lagSeconds: number) => void) | undefined;
  #timer: number | undefined;
  #dueMs = 0;
  #lagSeconds = 0;

  /**
   * Creates a stopped sampler.
   *
   * @param options Interval, clock and sample callback.
   * @throws {RangeError} When `intervalMs` is not a positive number.
   */
  constructor(options: EventLoopLagOptions = {}) {
    const { intervalMs = 500, clock = () => performance.now(), onSample } = options;
    if (!(intervalMs > 0)) {
      throw new RangeError(
        `Cannot create event-loop lag sampler: intervalMs must be positive (${intervalMs})`,
      );
    }
    this.#intervalMs = intervalMs;
    this.#clock = clock;
    this.#onSample = onSample;
  }

  /** The latest sample in seconds (0 before the first one). */
  get lagSeconds(): number {
    return this.#lagSeconds;
  }

  /** Whether a timer is pending. */
  get running(): boolean {
    return this.#timer !== undefined;
  }

  /** Starts sampling; does nothing when already running. */
  start(): void {
    if (this.#timer === undefined) this.#schedule();
  }

  /** Stops sampling and clears the pending timer; safe to call more than once. */
  stop(): void {
    if (this.#timer === undefined) return;
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /**
   * Takes one sample now: the time past the moment the pending timer was due (0 if not yet
   * due), and makes the next sample due one interval from now. The timer calls this; tests call
   * it with an injected clock.
   *
   * @returns The lag in seconds.
   */
  sample(): number {
    const now = this.#clock();
    this.#lagSeconds = Math.max(0, now - this.#dueMs) / 1000;
    this.#dueMs = now + this.#intervalMs;
    this.#onSample?.(this.#lagSeconds);
    return this.#lagSeconds;
  }

  #schedule(): void {
    this.#dueMs = this.#clock() + this.#intervalMs;
    // Deno's timer id is a number; Number() also satisfies Node's typings of setTimeout, which
    // prom-client brings into the type check.
    const timer = Number(setTimeout(() => {
      this.sample();
      if (this.#timer === timer) this.#schedule();
    }, this.#intervalMs));
    Deno.unrefTimer(timer);
    this.#timer = timer;
  }
}
