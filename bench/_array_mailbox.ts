/**
 * The room mailbox as it was before the Web Streams one (src/room/mailbox.ts): an array drained
 * by one async loop. Kept as the baseline of bench/mailbox_bench.ts.
 *
 * @module
 */
import type { Task } from "../src/room/mailbox.ts";

/**
 * An unbounded FIFO of tasks with one consumer. Tasks posted while one runs wait their turn;
 * a task that throws is reported to `onError` and the loop goes on.
 *
 * @example Tasks run in order
 * ```ts
 * import assert from "assert";
 * import { ArrayMailbox } from "./_array_mailbox.ts";
 * const seen: number[] = [];
 * const box = new ArrayMailbox(() => {});
 * box.post(async () => { await Promise.resolve(); seen.push(1); });
 * box.post(() => { seen.push(2); });
 * await box.idle();
 * assert.ok(seen.join() === "1,2");
 * ```
 */
export class ArrayMailbox {
  #queue: (Task | undefined)[] = [];
  #head = 0;
  #running = false;
  #closed = false;
  #idle: (() => void)[] = [];
  readonly #onError: (error: unknown) => void;

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

  /** Whether the mailbox refuses new tasks. */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Queues a task.
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
      if (this.#head >= 1024 && this.#head * 2 >= queue.length) {
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
