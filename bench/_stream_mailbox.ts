/**
 * The room mailbox as a Web Streams pipeline, as roomd had it for a while: tasks are written to a
 * `WritableStream` whose sink runs them one at a time, and its queuing strategy is the mailbox's
 * bound. Kept as the comparison of bench/mailbox_bench.ts; the room uses the array loop of
 * src/room/mailbox.ts, which costs less per delivery (README, "The mailbox").
 *
 * @module
 */
import type { Task } from "../src/room/mailbox.ts";

/**
 * A FIFO of tasks with one consumer, on a `WritableStream`. Tasks posted while one runs wait
 * their turn; a task that throws is reported to `onError` and the stream goes on. `full` is the
 * stream's backpressure: the mailbox holds `bound` tasks, for admission to refuse more.
 *
 * @example Tasks run in order
 * ```ts
 * import assert from "assert";
 * import { StreamMailbox } from "./_stream_mailbox.ts";
 * const seen: number[] = [];
 * const box = new StreamMailbox(() => {});
 * box.post(async () => { await Promise.resolve(); seen.push(1); });
 * box.post(() => { seen.push(2); });
 * await box.idle();
 * assert.equal(seen.join(), "1,2");
 * ```
 */
export class StreamMailbox {
  readonly #writer: WritableStreamDefaultWriter<Task>;
  /** Tasks posted and not finished, the running one included. */
  #unfinished = 0;
  #running = false;
  /** Set while `post` writes: the stream calls an idle sink within `write`. */
  #posting = false;
  #closed = false;
  #idle: (() => void)[] = [];

  /**
   * @param onError Called with whatever a task threw.
   * @param bound Tasks held (the running one included) at which the mailbox is full (none by default).
   */
  constructor(onError: (error: unknown) => void, bound = Infinity) {
    const stream = new WritableStream<Task>({
      write: async (task) => {
        if (this.#posting) await undefined;
        this.#running = true;
        try {
          await task();
        } catch (error) {
          onError(error);
        }
        this.#running = false;
        if (--this.#unfinished === 0) {
          for (const resolve of this.#idle.splice(0)) resolve();
        }
      },
    }, new CountQueuingStrategy({ highWaterMark: bound }));
    this.#writer = stream.getWriter();
  }

  /** Tasks waiting, not counting the one running. */
  get depth(): number {
    return this.#unfinished - (this.#running ? 1 : 0);
  }

  /** Whether the mailbox holds as many tasks as its bound (the running one included). */
  get full(): boolean {
    return (this.#writer.desiredSize ?? 0) <= 0;
  }

  /** Whether the mailbox refuses new tasks. */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Queues a task; it runs later, never within this call.
   *
   * @param task The work.
   * @returns `false` when the mailbox is closed and the task was dropped.
   */
  post(task: Task): boolean {
    if (this.#closed) return false;
    this.#unfinished++;
    this.#posting = true;
    // The sink never throws, so the write's promise never rejects.
    this.#writer.write(task);
    this.#posting = false;
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
    if (this.#unfinished === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }
}
