/**
 * Frames waiting for their reply: queued while the socket is down (with a bound), in flight
 * while it is up (with a reply deadline), and sent again in order after a reconnect.
 *
 * @module
 */
import type { Clock, TimerId } from "./clock.ts";
import { RoomdError } from "./errors.ts";
import { errorOf } from "./frames.ts";
import type { ServerFrame } from "./types.ts";

/** One request or publish awaiting its reply. */
interface Entry {
  frame: string;
  resend: boolean;
  reply: (frame: ServerFrame) => unknown;
  resolve: (value: unknown) => void;
  reject: (error: RoomdError) => void;
  timer: TimerId | undefined;
  sent: boolean;
}

/** Settings of a {@linkcode SendQueue}. */
export interface SendQueueOptions {
  /** Most frames that may wait unsent while the socket is down. */
  limit: number;
  /** How long a sent frame waits for its reply before its promise rejects with `timeout`. */
  replyTimeoutMs: number;
  /** Timers. */
  clock: Clock;
}

/**
 * Keyed by `ref`; a Map keeps insertion order, which is the order frames go out and go out
 * again after a reconnect.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { SendQueue } from "./send_queue.ts";
 * import { systemClock } from "./clock.ts";
 * const queue = new SendQueue({ limit: 10, replyTimeoutMs: 1000, clock: systemClock });
 * const acked = queue.add("c1", '{"type":"chat","ref":"c1"}', (f) => f.id);
 * const written: string[] = [];
 * queue.flush((frame) => written.push(frame));
 * queue.settle({ type: "ack", ref: "c1", id: 7 });
 * assert.equal(await acked, 7);
 * assert.equal(written.length, 1);
 * ```
 */
export class SendQueue {
  readonly #entries = new Map<string, Entry>();
  readonly #options: SendQueueOptions;
  #write: ((frame: string) => void) | null = null;

  /** @param options Bound, reply deadline and clock. */
  constructor(options: SendQueueOptions) {
    this.#options = options;
  }

  /** Frames awaiting a reply, sent or not. */
  get size(): number {
    return this.#entries.size;
  }

  /**
   * Adds a frame: written at once when the socket is up, else queued.
   *
   * @param ref The frame's `ref` (unique among waiting frames).
   * @param frame The JSON text.
   * @param reply Turns the reply frame into the promise's value.
   * @param resend Whether to send it again after a reconnect (else it rejects on disconnect).
   * @returns Settles with the reply, or rejects with the server's error, `timeout`,
   * `queue_full` (over the bound while the socket is down) or the reason the client closed.
   */
  add<T>(
    ref: string,
    frame: string,
    reply: (frame: ServerFrame) => T,
    resend = true,
  ): Promise<T> {
    if (this.#write === null && this.#unsent() >= this.#options.limit) {
      return Promise.reject(
        new RoomdError(
          "queue_full",
          `Cannot queue message: ${this.#options.limit} messages already wait for the connection`,
        ),
      );
    }
    return new Promise<T>((resolve, reject) => {
      const entry: Entry = {
        frame,
        resend,
        reply,
        resolve: resolve as (value: unknown) => void,
        reject,
        timer: undefined,
        sent: false,
      };
      this.#entries.set(ref, entry);
      if (this.#write !== null) this.#send(ref, entry, this.#write);
    });
  }

  /**
   * The socket is up: writes every waiting frame in order, and later ones at once.
   *
   * @param write Writes one frame to the socket.
   */
  flush(write: (frame: string) => void): void {
    this.#write = write;
    for (const [ref, entry] of this.#entries) if (!entry.sent) this.#send(ref, entry, write);
  }

  /**
   * The socket is down: frames in flight wait to go out again (or reject, when they must not
   * be sent twice) and reply deadlines stop.
   *
   * @param reason Why frames that are not sent again reject.
   */
  pause(reason: RoomdError): void {
    this.#write = null;
    for (const [ref, entry] of this.#entries) {
      this.#options.clock.clearTimeout(entry.timer);
      entry.timer = undefined;
      if (!entry.sent) continue;
      entry.sent = false;
      if (!entry.resend) this.#fail(ref, entry, reason);
    }
  }

  /**
   * Rejects every frame that was written and has no reply yet (the server refused one of them
   * without saying which, e.g. 1009).
   *
   * @param error The rejection.
   */
  failInFlight(error: RoomdError): void {
    for (const [ref, entry] of this.#entries) if (entry.sent) this.#fail(ref, entry, error);
  }

  /**
   * Settles the frame a reply answers: an `error` rejects it, anything else resolves it.
   *
   * @param frame A frame from the server.
   * @returns Whether the frame answered a waiting one.
   */
  settle(frame: ServerFrame): boolean {
    if (frame.ref === undefined) return false;
    const entry = this.#entries.get(frame.ref);
    if (!entry) return false;
    this.#entries.delete(frame.ref);
    this.#options.clock.clearTimeout(entry.timer);
    if (frame.type === "error") {
      entry.reject(errorOf(frame));
    } else {
      entry.resolve(entry.reply(frame));
    }
    return true;
  }

  /**
   * Rejects everything (the client closed).
   *
   * @param error The rejection.
   */
  rejectAll(error: RoomdError): void {
    this.#write = null;
    for (const [ref, entry] of this.#entries) this.#fail(ref, entry, error);
  }

  #unsent(): number {
    let count = 0;
    for (const entry of this.#entries.values()) if (!entry.sent) count++;
    return count;
  }

  #send(ref: string, entry: Entry, write: (frame: string) => void): void {
    entry.sent = true;
    const { clock, replyTimeoutMs } = this.#options;
    entry.timer = clock.setTimeout(() => {
      this.#fail(
        ref,
        entry,
        new RoomdError("timeout", `Cannot confirm message: no reply within ${replyTimeoutMs} ms`),
      );
    }, replyTimeoutMs);
    write(entry.frame);
  }

  #fail(ref: string, entry: Entry, error: RoomdError): void {
    this.#options.clock.clearTimeout(entry.timer);
    this.#entries.delete(ref);
    entry.reject(error);
  }
}
