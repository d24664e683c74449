/**
 * Timers, injectable so that tests can drive time.
 *
 * @module
 */

/** An opaque timer handle. */
export type TimerId = ReturnType<typeof setTimeout>;

/** What the client needs of time. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Like `setTimeout`. */
  setTimeout(fn: () => void, ms: number): TimerId;
  /** Like `clearTimeout`. */
  clearTimeout(id: TimerId | undefined): void;
}

/** The runtime's clock. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (id) => clearTimeout(id),
};
