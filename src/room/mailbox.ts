/**
 * A room's mailbox: a FIFO of tasks run one at a time, so that joins, leaves and broadcasts of
 * one room are serialized without locks. An array drained by one async loop: a Web Streams
 * `WritableStream` did the same job and cost about 3.5 % more CPU per delivery in the fan-out
 * (README, "The mailbox"), over the 2 % the design allows it; bench/mailbox_bench.ts compares the
 * two.
 *
 * @module
 */

/** A unit of work for the actor; may be async, and the next task waits for it. */
export type Task = () => void | Promise<void>;

/** Queued tasks the drain loop may pass before it drops them from the front of its array. */
const COMPACT_AFTER = 1024;

/**
 * A FIFO of tasks with one consumer. Tasks posted while one runs wait their turn; a task that
 * throws is reported to `onError` and the loop goes on.
 *
 * @example Tasks run in order
 * ```ts
 * import assert from "assert";
 * import { Mailbox } from "./mailbox.ts";
 * const seen: number[] = [];
 * const box = new Mailbox(() => {});
 * box.post(async () => { await Promise.resolve(); seen.push(1); });
 * box.post(() => { seen.push(2); });
 * await box.idle();
 * assert.equal(seen.join(), "1,2");
 * ```
 */
export class Mailbox {
  readonly #onError: (error: unknown) => void;
  readonly #queue: (Task | undefined)[] = [];
  #head = 0;
  /** Whether the drain loop runs (from the first post until the queue is empty). */
  #running = false;
  #closed = false;
  #idle: (() => void)[] = [];

  /**
   * @param onError Called with whatever a task threw.
   */
  constructor(onError: (error: unknown) => void) {
    this.#onError = onError;
  }

  /** Tasks waiting, not counting the one running. */
  get depth(): number {
    return this.#queue.length - this.#head;
  }

  /**
   * Queues a task; it runs later, never within this call.
   *
   * @param task The work.
   * @returns `false` when the mailbox is closed and the task was dropped.
   */
  post(task: Task): boolean {
    if (this.#closed) return false;
    this.#queue.push(task);
    if (!this.#running) {
      this.#running = true;
      queueMicrotask(() => this.#drain());
    }
    return true;
  }

  /** Refuses further tasks; queued ones still run. */
  close(): void {
    this.#closed = true;
  }

  /**
   * Resolves once every queued task has run.
   *
   * @returns A promise settled when the queue is empty.
   */
  idle(): Promise<void> {
    if (!this.#running) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  async #drain(): Promise<void> {
    const queue = this.#queue;
    while (this.#head < queue.length) {
      const task = queue[this.#head]!;
      queue[this.#head++] = undefined;
      try {
        const result = task();
        if (result instanceof Promise) await result;
      } catch (error) {
        this.#onError(error);
      }
      if (this.#head >= COMPACT_AFTER && this.#head * 2 >= queue.length) {
        queue.splice(0, this.#head);
        this.#head = 0;
      }
    }
    queue.length = 0;
    this.#head = 0;
    this.#running = false;
    for (const resolve of this.#idle.splice(0)) resolve();
  }
}
