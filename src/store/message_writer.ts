/**
 * Group commit for the broadcast path: messages appended while a commit runs (or within the
 * commit window) share one {@linkcode MessageStore.appendMessages} call, and while commits fail
 * the writer probes the store until it accepts writes again.
 *
 * @module
 */
import { clearImmediate, setImmediate } from "node:timers";
import { StoreError } from "./store_error.ts";
import type { AppendResult, MessageStore, NewMessage } from "./types.ts";

/** Options of {@linkcode MessageWriter}. */
export interface MessageWriterOptions {
  /** Most messages per commit; a full batch is committed at once (default 512). */
  maxBatch?: number;
  /**
   * How long the first queued message waits for others to share its commit, in ms (default 0:
   * until the current event-loop turn has run). A longer window makes fewer, larger commits at
   * the cost of later delivery.
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
  /**
   * Told when writes start failing (with the error) and when they succeed again (with
   * `null`). The same rules as `onCommit` apply.
   */
  onHealth?: (failure: Error | null) => void;
  /** While writes fail, how often a probe write is tried, in ms (default 1000). */
  probeIntervalMs?: number;
}

/**
 * Told once a message's commit ended: with `undefined` and the message's
 * {@linkcode AppendResult} when the commit succeeded, else with the commit's error.
 */
export type CommitCallback = (error: unknown, result?: AppendResult) => void;

/** Messages that will be committed together, and what waits for them. */
interface Batch {
  messages: NewMessage[];
  queuedAt: number[];
  callbacks: CommitCallback[];
  done: Promise<void>;
  settle: () => void;
}

function newBatch(): Batch {
  const { promise, resolve } = Promise.withResolvers<void>();
  return { messages: [], queuedAt: [], callbacks: [], done: promise, settle: resolve };
}

/**
 * Batches appends into few commits. With a window of 0 (the default) a commit starts once the
 * current event-loop turn has run its I/O callbacks, or as soon as the running commit ends: the
 * group is whatever arrived meanwhile.
 * A full batch is committed at once. One commit runs at a time. Each message's callback is told
 * its result (its id is allocated by the store as the batch is written) or its batch's error,
 * in append order. While commits fail, a probe write runs every `probeIntervalMs` until one
 * succeeds, so {@linkcode MessageWriter.failure} clears without traffic.
 *
 * @example Two appends, one commit, consecutive ids
 * ```ts
 * import assert from "assert";
 * import { MessageWriter, type MessageWriterOptions } from "./message_writer.ts";
 * import { MemoryStore } from "./memory.ts";
 *
 * const store = new MemoryStore();
 * const sizes: number[] = [];
 * const options: MessageWriterOptions = { onCommit: (_seconds, count) => sizes.push(count) };
 * const writer = new MessageWriter(store, options);
 * const timestamp = new Date().toISOString();
 * const ids: number[] = [];
 * for (let i = 0; i < 2; i++) {
 *   writer.append(
 *     { type: "chat", room_id: "lobby", user_id: "ana", data_json: "{}", timestamp },
 *     (_error, result) => ids.push(result?.status === "stored" ? result.id : 0),
 *   );
 * }
 * await writer.flush();
 * assert.deepEqual(ids, [1, 2]);
 * assert.ok(sizes.length === 1 && sizes[0] === 2);
 * await writer.close();
 * ```
 */
export class MessageWriter {
  readonly #store: MessageStore;
  readonly #maxBatch: number;
  readonly #windowMs: number;
  readonly #probeIntervalMs: number;
  readonly #onCommit: MessageWriterOptions["onCommit"];
  readonly #onWritten: MessageWriterOptions["onWritten"];
  readonly #onHealth: MessageWriterOptions["onHealth"];
  /** Batches not yet committing, oldest first; the last one takes new appends. */
  #queue: Batch[] = [];
  #inFlight: Batch | null = null;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #immediate: ReturnType<typeof setImmediate> | undefined;
  #probeTimer: ReturnType<typeof setInterval> | undefined;
  #running = false;
  #closed = false;
  #failure: Error | null = null;

  /**
   * Creates a writer over a store.
   *
   * @param store Where batches are committed.
   * @param options Batch size limit, commit window, probe interval, and hooks.
   */
  constructor(store: MessageStore, options: MessageWriterOptions = {}) {
    const maxBatch = options.maxBatch ?? 512;
    if (!Number.isInteger(maxBatch) || maxBatch < 1) {
      throw new RangeError(`Cannot create message writer: maxBatch must be >= 1 (got ${maxBatch})`);
    }
    this.#store = store;
    this.#maxBatch = maxBatch;
    this.#windowMs = options.windowMs ?? 0;
    this.#probeIntervalMs = options.probeIntervalMs ?? 1000;
    this.#onCommit = options.onCommit;
    this.#onWritten = options.onWritten;
    this.#onHealth = options.onHealth;
  }

  /** The error of the last failed write while writes fail; `null` once one succeeds. */
  get failure(): Error | null {
    return this.#failure;
  }

  /**
   * Queues a message for the next commit.
   *
   * @param message The message to persist (the store allocates its id).
   * @param onCommitted Told when the commit holding the message ended. A closed writer tells
   * it a {@linkcode StoreError} on a later microtask.
   * @param queuedAt When the message was published (`performance.now()`), for `onWritten`.
   */
  append(
    message: NewMessage,
    onCommitted: CommitCallback,
    queuedAt: number = performance.now(),
  ): void {
    if (this.#closed) {
      const error = new StoreError(
        `Cannot append a message to room "${message.room_id}": writer is closed`,
      );
      queueMicrotask(() => this.#tell(onCommitted, error, undefined));
      return;
    }
    let batch = this.#queue[this.#queue.length - 1];
    if (batch === undefined || batch.messages.length >= this.#maxBatch) {
      batch = newBatch();
      this.#queue.push(batch);
    }
    batch.messages.push(message);
    batch.queuedAt.push(queuedAt);
    batch.callbacks.push(onCommitted);
    if (this.#running) return;
    if (batch.messages.length >= this.#maxBatch) this.#start();
    // Window 0: after the I/O callbacks of this event-loop turn, so that what arrived with it
    // shares the commit (a chained setTimeout(0) waits milliseconds; setImmediate microseconds).
    else if (this.#windowMs === 0) this.#immediate ??= setImmediate(() => this.#start());
    else this.#timer ??= setTimeout(() => this.#start(), this.#windowMs);
  }

  /**
   * Commits what is queued now, without waiting for the timer.
   *
   * @returns Resolves once every message queued or in flight at the call has been committed
   * or has failed (failures are told to the messages' callbacks).
   */
  async flush(): Promise<void> {
    const waiting = this.#queue.map((batch) => batch.done);
    if (this.#inFlight) waiting.push(this.#inFlight.done);
    this.#start();
    await Promise.all(waiting);
  }

  /**
   * Flushes, then refuses further appends and stops probing. Closing twice is harmless.
   *
   * @returns Settles like {@linkcode MessageWriter.flush}.
   */
  close(): Promise<void> {
    this.#closed = true;
    this.#stopProbing();
    return this.flush();
  }

  /** Starts the commit loop unless it runs or there is nothing to commit. */
  #start(): void {
    clearTimeout(this.#timer);
    clearImmediate(this.#immediate);
    this.#timer = undefined;
    this.#immediate = undefined;
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
        batch.settle();
      }
    } finally {
      this.#running = false;
    }
  }

  async #commit(batch: Batch): Promise<void> {
    const started = performance.now();
    let results: AppendResult[];
    try {
      results = await this.#store.appendMessages(batch.messages);
    } catch (err) {
      this.#failed(err);
      for (const callback of batch.callbacks) this.#tell(callback, err, undefined);
      return;
    }
    this.#succeeded();
    const { callbacks } = batch;
    for (let i = 0; i < callbacks.length; i++) this.#tell(callbacks[i], undefined, results[i]);
    const ended = performance.now();
    this.#hook(() => {
      this.#onCommit?.((ended - started) / 1000, batch.messages.length);
      if (this.#onWritten) {
        for (const queuedAt of batch.queuedAt) this.#onWritten((ended - queuedAt) / 1000);
      }
    });
  }

  #failed(err: unknown): void {
    const first = this.#failure === null;
    this.#failure = err instanceof Error ? err : new StoreError(String(err));
    if (first) this.#hook(() => this.#onHealth?.(this.#failure));
    if (this.#probeTimer !== undefined || this.#closed) return;
    this.#probeTimer = setInterval(() => this.#probe(), this.#probeIntervalMs);
    Deno.unrefTimer(this.#probeTimer);
  }

  #succeeded(): void {
    if (this.#failure === null) return;
    this.#failure = null;
    this.#stopProbing();
    this.#hook(() => this.#onHealth?.(null));
  }

  async #probe(): Promise<void> {
    if (this.#running || this.#failure === null) return;
    try {
      await this.#store.probeWrite();
    } catch (err) {
      this.#failure = err instanceof Error ? err : new StoreError(String(err));
      return;
    }
    this.#succeeded();
  }

  #stopProbing(): void {
    clearInterval(this.#probeTimer);
    this.#probeTimer = undefined;
  }

  /** Calls one callback; one that throws is reported and the others still run. */
  #tell(callback: CommitCallback, error: unknown, result: AppendResult | undefined): void {
    try {
      callback(error, result);
    } catch (err) {
      reportError(err);
    }
  }

  #hook(run: () => void): void {
    try {
      run();
    } catch (err) {
      reportError(err);
    }
  }
}
