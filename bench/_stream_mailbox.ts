/**
 * The room mailbox as a Web Streams pipeline, as roomd had it for a while: tasks are written to a
 * `WritableStream` whose sink runs them one at a time. Kept as the comparison of
 * bench/mailbox_bench.ts; the room uses the array loop of src/room/mailbox.ts, which costs less
 * per delivery (README, "The mailbox").
 *
 * @module
 */
import type { Task } from "../src/room/mailbox.ts";

/**
 * A FIFO of tasks with one consumer, on a `WritableStream`. Tasks posted while one runs wait
 * their turn; a task that throws is reported to `onError` and the stream goes on.
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
  /** Set while `post` writes: the stream calls an idle sink within `write`. */
  #posting = false;
  #idle: (() => void)[] = [];

  /**
   * @param onError Called with whatever a task threw.
   */
  constructor(onError: (error: unknown) => void) {
    const stream = new WritableStream<Task>({
      write: async (task) => {
        if (this.#posting) await undefined;
        try {
          await task();
        } catch (error) {
          onError(error);
        }
        if (--this.#unfinished === 0) {
          for (const resolve of this.#idle.splice(0)) resolve();
        }
      },
    });
    this.#writer = stream.getWriter();
  }

  /**
   * Queues a task; it runs later, never within this call.
   *
   * @param task The work.
   */
  post(task: Task): void {
    this.#unfinished++;
    this.#posting = true;
    // The sink never throws, so the write's promise never rejects.
    this.#writer.write(task);
    this.#posting = false;
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
