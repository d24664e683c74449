/**
 * Group commit for the broadcast path: messages appended in the same event-loop turn share
 * one {@linkcode MessageStore.appendMessages} call.
 *
 * @module
 */
import { StoreError } from "./store_error.ts";
import type { MessageStore, StoredMessage } from "./types.ts";

/** Options of {@linkcode MessageWriter}. */
export interface MessageWriterOptions {
  /** Most messages per commit; a full batch is committed at once (default 512). */
  maxBatch?: number;
  /**
   * How long the first queued message waits for others to share its commit, in ms (default 0:
   * the next timer turn). A longer window makes fewer, larger commits at the cost of later acks.
   */
  windowMs?: number;
  /**
   * Called after each successful commit with its duration in seconds and its size. It must not
   * throw; an exception is passed to `reportError` and the writer carries on.
   */
  onCommit?: (seconds: number, count: number) => void;
}

interface Pending {
  message: StoredMessage;
  done: Promise<void>;
  resolve: () => void;
  reject: (reason: unknown) => void;
}

/**
 * Batches appends into few commits. The first queued message schedules a flush with a 0 ms
 * timer (so everything queued in the same turn joins it); a full batch is committed at once.
 * One commit runs at a time: messages appended meanwhile form the next batch, committed as
 * soon as the running one ends. A failed commit rejects the appends of its batch only.
 *
 * @example Two appends, one commit
 * ```ts
 * import assert from "assert";
 * import { MessageWriter, type MessageWriterOptions } from "./message_writer.ts";
 * import { MemoryStore } from "./memory.ts";
 *
 * const store = new MemoryStore();
 * const sizes: number[] = [];
 * const options: MessageWriterOptions = { onCommit: (_seconds, count) => sizes.push(count) };
 * const writer = new MessageWriter(store, options);
 * const at = new Date().toISOString();
 * await Promise.all([1, 2].map((id) =>
 *   writer.append({ id, type: "chat", room_id: "lobby", user_id: "ana", data: {}, timestamp: at })
 * ));
 * assert.ok(sizes.length === 1 && sizes[0] === 2);
 * await writer.close();
 * ```
 */
export class MessageWriter {
  readonly #store: MessageStore;
  readonly #maxBatch: number;
  readonly #onCommit: ((seconds: number, count: number) => void) | undefined;
  #queue: Pending[] = [];
  #inFlight: Pending[] = [];
  #timer: ReturnType<typeof setTimeout> | undefined;
  #running = false;
  #closed = false;
  readonly #windowMs: number;

  /**
   * Creates a writer over a store.
   *
   * @param store Where batches are committed.
   * @param options Batch size limit and commit callback.
   */
  constructor(store: MessageStore, options: MessageWriterOptions = {}) {
    const maxBatch = options.maxBatch ?? 512;
    if (!Number.isInteger(maxBatch) || maxBatch < 1) {
      throw new RangeError(`Cannot create message writer: maxBatch must be >= 1 (got ${maxBatch})`);
    }
    this.#store = store;
    this.#maxBatch = maxBatch;
    this.#windowMs = options.windowMs ?? 0;
    this.#onCommit = options.onCommit;
  }

  /**
   * Queues a message for the next commit.
   *
   * @param message The message to persist.
   * @returns Resolves once the batch holding it is committed; rejects with that commit's error,
   * or with a {@linkcode StoreError} when the writer is closed.
   */
  append(message: StoredMessage): Promise<void> {
    if (this.#closed) {
      return Promise.reject(
        new StoreError(
          `Cannot append message ${message.id} of room "${message.room_id}": writer is closed`,
        ),
      );
    }
    const { promise, resolve, reject } = Promise.withResolvers<void>();
    this.#queue.push({ message, done: promise, resolve, reject });
    if (this.#running) return promise;
    if (this.#queue.length >= this.#maxBatch) this.#start();
    else this.#timer ??= setTimeout(() => this.#start(), this.#windowMs);
    return promise;
  }

  /**
   * Commits what is queued now, without waiting for the timer.
   *
   * @returns Resolves once every message queued or in flight at the call is committed; rejects
   * with the first failed commit's error (the appends concerned reject as well).
   */
  async flush(): Promise<void> {
    const waiting = [...this.#inFlight, ...this.#queue].map((pending) => pending.done);
    this.#start();
    await Promise.all(waiting);
  }

  /**
   * Flushes, then refuses further appends. Closing twice is harmless.
   *
   * @returns Settles like {@linkcode MessageWriter.flush}.
   */
  close(): Promise<void> {
    this.#closed = true;
    return this.flush();
  }

  /** Starts the commit loop unless it runs or there is nothing to commit. */
  #start(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#running || this.#queue.length === 0) return;
    this.#running = true;
    void this.#commitAll();
  }

  async #commitAll(): Promise<void> {
    try {
      while (this.#queue.length > 0) {
        const batch = this.#queue.splice(0, this.#maxBatch);
        this.#inFlight = batch;
        await this.#commit(batch);
        this.#inFlight = [];
      }
    } finally {
      this.#running = false;
    }
  }

  async #commit(batch: Pending[]): Promise<void> {
    const started = performance.now();
    try {
      await this.#store.appendMessages(batch.map((pending) => pending.message));
    } catch (err) {
      for (const pending of batch) pending.reject(err);
      return;
    }
    for (const pending of batch) pending.resolve();
    try {
      this.#onCommit?.((performance.now() - started) / 1000, batch.length);
    } catch (err) {
      reportError(err);
    }
  }
}
