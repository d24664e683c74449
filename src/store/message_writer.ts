/**
 * Group commit for the broadcast path: messages appended within the commit window of the first
 * one waiting share one {@linkcode MessageStore.appendMessages} call.
 *
 * @module
 */
import { StoreError } from "./store_error.ts";
import type { MessageStore, SerializedMessage } from "./types.ts";

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
  /**
   * Called after each successful commit, once per message in it, with the seconds from the
   * message's `queuedAt` to the end of the commit. The same rules as `onCommit` apply.
   */
  onWritten?: (seconds: number) => void;
}

/**
 * Told once a message's commit ended: with `undefined` when it is durable, else with the
 * commit's error.
 */
export type CommitCallback = (error: unknown) => void;

/** Messages that will be committed together, and what waits for them. */
interface Batch {
  messages: SerializedMessage[];
  queuedAt: number[];
  callbacks: CommitCallback[];
  done: Promise<void>;
  resolve: () => void;
  reject: (reason: unknown) => void;
}

function newBatch(): Batch {
  const { promise, resolve, reject } = Promise.withResolvers<void>();
  // Callers may ignore the promise (they passed a callback): its rejection is not unhandled.
  promise.catch(() => {});
  return { messages: [], queuedAt: [], callbacks: [], done: promise, resolve, reject };
}

/**
 * Batches appends into few commits. The first queued message schedules a flush after the
 * window (so everything queued meanwhile joins it); a full batch is committed at once. One
 * commit runs at a time: messages appended meanwhile form the next batch, committed as soon as
 * the running one ends. A failed commit rejects the appends of its batch only. The messages of
 * a batch share one promise, so an append creates no promise of its own.
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
 *   writer.append({ id, type: "chat", room_id: "lobby", user_id: "ana", data_json: "{}", timestamp: at })
 * ));
 * assert.ok(sizes.length === 1 && sizes[0] === 2);
 * await writer.close();
 * ```
 */
export class MessageWriter {
  readonly #store: MessageStore;
  readonly #maxBatch: number;
  readonly #onCommit: ((seconds: number, count: number) => void) | undefined;
  readonly #onWritten: ((seconds: number) => void) | undefined;
  /** Batches not yet committing, oldest first; the last one takes new appends. */
  #queue: Batch[] = [];
  #inFlight: Batch | null = null;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #running = false;
  #closed = false;
  readonly #windowMs: number;

  /**
   * Creates a writer over a store.
   *
   * @param store Where batches are committed.
   * @param options Batch size limit, commit window, and the commit and per-message timing hooks.
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
    this.#onWritten = options.onWritten;
  }

  /**
   * Queues a message for the next commit.
   *
   * @param message The message to persist.
   * @param queuedAt When the message was published (`performance.now()`), for `onWritten`.
   * @param onCommitted Told when the commit holding the message ended.
   * @returns Resolves once the batch holding it is committed; rejects with that commit's error,
   * or with a {@linkcode StoreError} when the writer is closed. Appends of one batch get the
   * same promise.
   */
  append(
    message: SerializedMessage,
    queuedAt: number = performance.now(),
    onCommitted?: CommitCallback,
  ): Promise<void> {
    if (this.#closed) {
      const error = new StoreError(
        `Cannot append message ${message.id} of room "${message.room_id}": writer is closed`,
      );
      if (onCommitted) queueMicrotask(() => this.#tell([onCommitted], error));
      const refused = Promise.reject(error);
      refused.catch(() => {});
      return refused;
    }
    let batch = this.#queue[this.#queue.length - 1];
    if (batch === undefined || batch.messages.length >= this.#maxBatch) {
      batch = newBatch();
      this.#queue.push(batch);
    }
    batch.messages.push(message);
    batch.queuedAt.push(queuedAt);
    if (onCommitted) batch.callbacks.push(onCommitted);
    if (this.#running) return batch.done;
    if (batch.messages.length >= this.#maxBatch) this.#start();
    else this.#timer ??= setTimeout(() => this.#start(), this.#windowMs);
    return batch.done;
  }

  /**
   * Commits what is queued now, without waiting for the timer.
   *
   * @returns Resolves once every message queued or in flight at the call is committed; rejects
   * with the first failed commit's error (the appends concerned reject as well).
   */
  async flush(): Promise<void> {
    const waiting = this.#queue.map((batch) => batch.done);
    if (this.#inFlight) waiting.push(this.#inFlight.done);
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
      let batch;
      while ((batch = this.#queue.shift()) !== undefined) {
        this.#inFlight = batch;
        await this.#commit(batch);
        this.#inFlight = null;
      }
    } finally {
      this.#running = false;
    }
  }

  async #commit(batch: Batch): Promise<void> {
    const started = performance.now();
    try {
      await this.#store.appendMessages(batch.messages);
    } catch (err) {
      batch.reject(err);
      this.#tell(batch.callbacks, err);
      return;
    }
    batch.resolve();
    this.#tell(batch.callbacks, undefined);
    const ended = performance.now();
    try {
      this.#onCommit?.((ended - started) / 1000, batch.messages.length);
      if (this.#onWritten) {
        for (const queuedAt of batch.queuedAt) this.#onWritten((ended - queuedAt) / 1000);
      }
    } catch (err) {
      reportError(err);
    }
  }

  /** Calls every callback; one that throws is reported and the others still run. */
  #tell(callbacks: CommitCallback[], error: unknown): void {
    for (const callback of callbacks) {
      try {
        callback(error);
      } catch (err) {
        reportError(err);
      }
    }
  }
}
