/**
 * A clock that moves only when told, for the client's timers.
 *
 * @module
 */
import type { Clock } from "../../src/client/mod.ts";

/** A {@linkcode Clock} with `advance`. */
export interface ManualClock extends Clock {
  /** Moves time forward, running the timers that fall due, in order. */
  advance(ms: number): void;
  /** Delays of the timers set so far, in order. */
  readonly delays: number[];
}

/**
 * Makes a manual clock starting at `start` ms.
 *
 * @param start The initial time.
 * @returns The clock.
 */
export function manualClock(start = 0): ManualClock {
  let now = start;
  let nextId = 1;
  const timers = new Map<number, { at: number; fn: () => void }>();
  const delays: number[] = [];
  return {
    delays,
    now: () => now,
    setTimeout(fn, ms) {
      delays.push(ms);
      const id = nextId++;
      timers.set(id, { at: now + ms, fn });
      return id as unknown as ReturnType<typeof setTimeout>;
    },
    clearTimeout(id) {
      timers.delete(id as unknown as number);
    },
    advance(ms) {
      const end = now + ms;
      for (;;) {
        const due = [...timers].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
        if (!due) break;
        timers.delete(due[0]);
        now = due[1].at;
        due[1].fn();
      }
      now = end;
    },
  };
}
