/**
 * The client's public face: events, sends and requests, on top of the connection loop.
 *
 * @module
 */
import { ConnectionLoop } from "./connection_loop.ts";
import { Emitter, type Listener } from "./emitter.ts";
import { RoomdError } from "./errors.ts";
import type { ClientEvents, ConnectionState } from "./events.ts";
import { errorOf, refMaker } from "./frames.ts";
import { type ConnectOptions, type ResolvedOptions, resolveOptions } from "./options.ts";
import { ResumeState } from "./resume.ts";
import { SendQueue } from "./send_queue.ts";
import { TokenSource } from "./token.ts";
import type {
  Ack,
  HistoryPage,
  MembersPage,
  RoomMessage,
  ServerFrame,
  WelcomeData,
} from "./types.ts";

/** Reply frames matched to a request by `ref`, never delivered as room messages. */
const REPLIES = new Set(["ack", "history", "members", "error"]);
/** The client's own events: a message type of the same name arrives only as `message`. */
const OWN_EVENTS = new Set(["state", "welcome", "message", "error"]);

/**
 * A client of one room. Make it with `connect`; it connects at once and stays connected
 * until `close()` or a refusal that retrying cannot fix.
 */
export class RoomClient {
  readonly #options: ResolvedOptions;
  readonly #events = new Emitter<Record<string, unknown>>();
  readonly #resume: ResumeState;
  readonly #queue: SendQueue;
  readonly #loop: ConnectionLoop;
  readonly #nextRef = refMaker();
  #welcome: WelcomeData | null = null;

  /**
   * @param url The server's base URL (`https://…`, `wss://…`).
   * @param options Room, token and tuning.
   * @throws {TypeError} When the room, both token options, or a valid URL are missing.
   */
  constructor(url: string, options: ConnectOptions) {
    this.#options = resolveOptions(options);
    this.#resume = new ResumeState(options.since, options.epoch);
    this.#queue = new SendQueue({
      limit: this.#options.queueLimit,
      replyTimeoutMs: this.#options.replyTimeoutMs,
      clock: this.#options.clock,
    });
    this.#loop = new ConnectionLoop({
      base: new URL(url).toString(),
      options: this.#options,
      tokens: new TokenSource(options.token, options.getToken),
      resume: this.#resume,
      queue: this.#queue,
    }, {
      onState: (change) => this.#events.emit("state", change),
      onWelcome: (welcome) => {
        this.#welcome = welcome;
        this.#events.emit("welcome", welcome);
      },
      onFrame: (frame) => this.#onFrame(frame),
      onRefreshError: (error) => {
        // A refused token ends in a 4401/4403 close, which the loop handles.
        const code = (error as RoomdError).code;
        if (code !== "disconnected" && code !== "closed") this.#events.emit("error", error);
      },
    });
  }

  /** The connection state. */
  get state(): ConnectionState {
    return this.#loop.state;
  }

  /** The room id. */
  get room(): string {
    return this.#options.room;
  }

  /** The latest welcome (room settings, members at join, epoch), once connected. */
  get welcome(): WelcomeData | null {
    return this.#welcome;
  }

  /** The last message id delivered and its epoch: a position to resume from later. */
  get position(): { since?: number; epoch?: string } {
    return { since: this.#resume.lastId, epoch: this.#resume.epoch };
  }

  /**
   * Listens to an event: `state`, `welcome`, `message`, `chat`, `presence`, `system`,
   * `error`, or any custom message type.
   *
   * @param event Event name.
   * @param listener Called with each event.
   * @returns A function that removes the listener.
   */
  on<K extends keyof ClientEvents>(event: K, listener: Listener<ClientEvents[K]>): () => void;
  on(event: string, listener: Listener<RoomMessage>): () => void;
  on(event: string, listener: Listener<never>): () => void {
    return this.#events.on(event, listener as Listener<unknown>);
  }

  /**
   * Publishes a message. While the connection is down it waits in the queue; a message sent
   * when the connection dropped goes out again after the resume with the same client id
   * (`cid`), so that the server publishes it once.
   *
   * @param type `chat` or a declared type.
   * @param data The payload (`{ text }` for chat).
   * @returns The `ack`: the message's id (persisted types) and time.
   * @throws {RoomdError} The server's error (`invalid_message`, `rate_limited`, …), `timeout`,
   * `queue_full`, `message_too_large` (after a 1009 close), or why the client closed.
   */
  send<T = unknown>(type: string, data: T): Promise<Ack> {
    const ref = this.#nextRef();
    return this.#request(ref, { type, data, ref, cid: ref }, (frame) => {
      if (typeof frame.id === "number") this.#resume.acknowledged(frame.id);
      return { id: frame.id, timestamp: frame.timestamp ?? "" };
    });
  }

  /**
   * Reads a page of history: the newest messages older than `before`, oldest first.
   *
   * @param query `before` an id, at most `limit` messages (server default 50, ≤ 200).
   * @returns The page.
   */
  history(query: { before?: number; limit?: number } = {}): Promise<HistoryPage> {
    const ref = this.#nextRef();
    return this.#request(ref, { type: "history", data: query, ref }, (f) => f.data as HistoryPage);
  }

  /**
   * Lists the room's members, a page at a time.
   *
   * @param query `cursor` from the previous page, `limit` (≤ 200, default 100).
   * @returns The page and the next cursor (`null` at the end).
   */
  members(query: { cursor?: string; limit?: number } = {}): Promise<MembersPage> {
    const ref = this.#nextRef();
    return this.#request(ref, { type: "members", data: query, ref }, (f) => f.data as MembersPage);
  }

  /** Closes the connection for good; waiting sends reject with `closed`. */
  close(): void {
    this.#loop.stop({ code: "closed", message: "Closed by the application" }, 1000);
  }

  #request<T>(ref: string, message: object, reply: (frame: ServerFrame) => T): Promise<T> {
    if (this.#loop.state === "closed") {
      return Promise.reject(new RoomdError("closed", "Cannot send: the client is closed"));
    }
    return this.#queue.add(ref, JSON.stringify(message), reply);
  }

  #onFrame(frame: ServerFrame): void {
    if (REPLIES.has(frame.type)) {
      if (this.#queue.settle(frame) || frame.type !== "error") return;
      return this.#events.emit("error", errorOf(frame));
    }
    if (typeof frame.id === "number" && !this.#resume.accept(frame.id)) return;
    const data = frame.data as { event?: unknown; epoch?: unknown; last_id?: unknown };
    if (frame.type === "system" && data?.event === "epoch" && typeof data.epoch === "string") {
      this.#resume.epochChanged({ epoch: data.epoch, last_id: Number(data.last_id) || 0 });
    }
    this.#events.emit("message", frame);
    if (!OWN_EVENTS.has(frame.type)) this.#events.emit(frame.type, frame);
  }
}
