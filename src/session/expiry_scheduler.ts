/**
 * One timer for every connection's token expiry: a min-heap of deadlines behind a single
 * `setTimeout`, instead of a timer per connection (which costs about half a kilobyte each).
 *
 * @module
 */

/** Longest delay `setTimeout` accepts. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** A deadline held by an {@linkcode ExpiryScheduler}. */
export interface Expiry {
  /** Cancels the callback; safe to call more than once. */
  cancel(): void;
}

/** What a deadline is for: an object told when it passes (a session, not a closure per connection). */
export interface Expiring {
  /** The deadline passed. */
  expire(): void;
}

/** The entry is its own handle, so a deadline costs one object. */
class Entry implements Expiry {
  at: number;
  target: Expiring | null;

  constructor(at: number, target: Expiring) {
    this.at = at;
    this.target = target;
  }

  cancel(): void {
    this.target = null;
  }
}

/**
 * Tells targets that their deadlines (ms since epoch) passed. Cancelled entries are dropped
 * lazily.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { ExpiryScheduler } from "./expiry_scheduler.ts";
 * const scheduler = new ExpiryScheduler();
 * let fired = false;
 * scheduler.add(Date.now() + 10, { expire: () => fired = true });
 * await new Promise((resolve) => setTimeout(resolve, 30));
 * assert.ok(fired);
 * scheduler.close();
 * ```
 */
export class ExpiryScheduler {
  readonly #heap: Entry[] = [];
  #timer: ReturnType<typeof setTimeout> | undefined;
  #timerAt = Infinity;
  readonly #now: () => number;

  /** @param now Clock (ms since epoch). */
  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  /** Deadlines held, cancelled ones not yet dropped included. */
  get size(): number {
    return this.#heap.length;
  }

  /**
   * Calls `target.expire()` at `at` (or soon after).
   *
   * @param at Deadline, ms since epoch.
   * @param target What to tell.
   * @returns The deadline, to cancel.
   */
  add(at: number, target: Expiring): Expiry {
    const entry = new Entry(at, target);
    this.#push(entry);
    this.#arm();
    return entry;
  }

  /** Drops every deadline and the timer. */
  close(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerAt = Infinity;
    this.#heap.length = 0;
  }

  #arm(): void {
    while (this.#heap.length > 0 && this.#heap[0].target === null) this.#pop();
    const next = this.#heap[0]?.at ?? Infinity;
    if (next >= this.#timerAt) return;
    clearTimeout(this.#timer);
    this.#timerAt = next;
    if (next === Infinity) return;
    this.#timer = setTimeout(
      () => this.#run(),
      Math.min(Math.max(0, next - this.#now()), MAX_TIMER_MS),
    );
  }

  #run(): void {
    this.#timer = undefined;
    this.#timerAt = Infinity;
    const now = this.#now();
    while (this.#heap.length > 0 && this.#heap[0].at <= now) {
      this.#pop().target?.expire();
    }
    this.#arm();
  }

  #push(entry: Entry): void {
    const heap = this.#heap;
    heap.push(entry);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (heap[parent].at <= entry.at) break;
      heap[i] = heap[parent];
      i = parent;
    }
    heap[i] = entry;
  }

  #pop(): Entry {
    const heap = this.#heap;
    const top = heap[0];
    const last = heap.pop()!;
    if (heap.length > 0) {
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        if (left >= heap.length) break;
        const right = left + 1;
        const child = right < heap.length && heap[right].at < heap[left].at ? right : left;
        if (heap[child].at >= last.at) break;
        heap[i] = heap[child];
        i = child;
      }
      heap[i] = last;
    }
    return top;
  }
}
