/**
 * One room connection that stays connected: the state machine that opens sockets, resumes,
 * reconnects with back-off, refreshes the token and carries sends across reconnects.
 *
 * @module
 */
import { backoffDelay } from "./backoff.ts";
import type { TimerId } from "./clock.ts";
import { Emitter, type Listener } from "./emitter.ts";
import { RoomdError } from "./errors.ts";
import type { ClientEvents, ConnectionState, StateReason } from "./events.ts";
import { checkHandshake } from "./handshake.ts";
import { type ConnectOptions, type ResolvedOptions, resolveOptions } from "./options.ts";
import { ResumeState } from "./resume.ts";
import { SendQueue } from "./send_queue.ts";
import { TokenSource } from "./token.ts";
import { TokenRefresher } from "./token_refresh.ts";
import type {
  Ack,
  HistoryPage,
  MembersPage,
  RoomMessage,
  ServerFrame,
  WelcomeData,
} from "./types.ts";
import { roomUrl } from "./urls.ts";
import { errorOf, isWelcome, parseFrame, refMaker } from "./frames.ts";
import { closeVerdict } from "./close_verdict.ts";

/** Reply frames matched to a request by `ref`, never delivered as room messages. */
const REPLIES = new Set(["ack", "history", "members", "error"]);

/**
 * A client of one room. Make it with `connect`; it connects at once.
 */
export class RoomClient {
  readonly #options: ResolvedOptions;
  readonly #base: string;
  readonly #events = new Emitter<Record<string, unknown>>();
  readonly #tokens: TokenSource;
  readonly #resume: ResumeState;
  readonly #queue: SendQueue;
  readonly #nextRef = refMaker();
  #state: ConnectionState = "connecting";
  #socket: WebSocket | null = null;
  #welcome: WelcomeData | null = null;
  #attempt = 0;
  #renewed = false;
  #timer: TimerId | undefined;
  readonly #refresher: TokenRefresher;

  /**
   * @param url The server's base URL (`https://…`, `wss://…`).
   * @param options Room, token and tuning.
   */
  constructor(url: string, options: ConnectOptions) {
    this.#options = resolveOptions(options);
    this.#base = new URL(url).toString();
    this.#tokens = new TokenSource(options.token, options.getToken);
    this.#resume = new ResumeState(options.since, options.epoch);
    this.#queue = new SendQueue({
      limit: this.#options.queueLimit,
      replyTimeoutMs: this.#options.replyTimeoutMs,
      clock: this.#options.clock,
    });
    this.#refresher = new TokenRefresher(
      this.#tokens,
      this.#options.clock,
      this.#options.refreshBeforeMs,
      (token) => this.#deliverToken(token),
      (error) => {
        // A refused token ends in a 4401/4403 close, handled there.
        const code = (error as RoomdError).code;
        if (code !== "disconnected" && code !== "closed") this.#events.emit("error", error);
      },
    );
    queueMicrotask(() => this.#open());
  }

  /** The connection state. */
  get state(): ConnectionState {
    return this.#state;
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
   * when the connection dropped goes out again after the resume with the same client id, so
   * the server publishes it once.
   *
   * @param type `chat` or a declared type.
   * @param data The payload (`{ text }` for chat).
   * @returns The `ack`: the message's id (persisted types) and time.
   * @throws {RoomdError} The server's error (`invalid_message`, `rate_limited`, …), `timeout`,
   * `queue_full`, or `closed`.
   */
  send<T = unknown>(type: string, data: T): Promise<Ack> {
    const ref = this.#nextRef();
    return this.#request(
      ref,
      { type, data, ref, cid: ref },
      (frame) => {
        if (typeof frame.id === "number") this.#resume.acknowledged(frame.id);
        return { id: frame.id, timestamp: frame.timestamp ?? "" };
      },
    );
  }

  /**
   * Reads history older than `before` (newest first pages, each oldest first).
   *
   * @param query `before` an id, at most `limit` messages (server default 50, ≤ 200).
   * @returns The page.
   */
  history(query: { before?: number; limit?: number } = {}): Promise<HistoryPage> {
    const ref = this.#nextRef();
    return this.#request(
      ref,
      { type: "history", data: query, ref },
      (frame) => frame.data as HistoryPage,
    );
  }

  /**
   * Lists the room's members, a page at a time.
   *
   * @param query `cursor` from the previous page, `limit` (≤ 200, default 100).
   * @returns The page and the next cursor (`null` at the end).
   */
  members(query: { cursor?: string; limit?: number } = {}): Promise<MembersPage> {
    const ref = this.#nextRef();
    return this.#request(
      ref,
      { type: "members", data: query, ref },
      (frame) => frame.data as MembersPage,
    );
  }

  /** Closes the connection for good; waiting sends reject with `closed`. */
  close(): void {
    this.#stop({ code: "closed", message: "Closed by the application" }, 1000);
  }

  #request<T>(ref: string, message: object, reply: (frame: ServerFrame) => T): Promise<T> {
    if (this.#isClosed()) {
      return Promise.reject(new RoomdError("closed", "Cannot send: the client is closed"));
    }
    return this.#queue.add(ref, JSON.stringify(message), reply);
  }

  #setState(state: ConnectionState, extra: Omit<ClientEvents["state"], "state" | "previous"> = {}) {
    const previous = this.#state;
    this.#state = state;
    this.#events.emit("state", { state, previous, ...extra });
  }

  async #open(): Promise<void> {
    if (this.#isClosed()) return;
    let token: string;
    try {
      token = await this.#tokens.current();
    } catch (error) {
      return this.#stop(reasonOf(error));
    }
    if (this.#isClosed()) return;
    const { room, tokenTransport } = this.#options;
    const query = this.#resume.query();
    const protocols = ["roomd"];
    if (tokenTransport === "subprotocol") protocols.push(`roomd.token.${token}`);
    const wsQuery = tokenTransport === "query" ? { ...query, token } : query;
    let socket: WebSocket;
    try {
      socket = this.#options.webSocket(roomUrl(this.#base, "ws", room, wsQuery), protocols);
    } catch (error) {
      return this.#stop(reasonOf(error));
    }
    this.#socket = socket;
    let welcomed = false;
    // Every error is followed by a close, handled there.
    socket.onerror = () => {};
    socket.onmessage = (event) => {
      const frame = this.#socket === socket ? parseFrame(event.data) : null;
      if (frame === null) return;
      if (!welcomed && isWelcome(frame)) {
        welcomed = true;
        this.#onWelcome(socket, frame.data as WelcomeData);
      } else this.#onFrame(frame);
    };
    socket.onclose = (event) => {
      if (this.#socket !== socket) return;
      this.#socket = null;
      this.#onClose(event.code, event.reason, welcomed, token, query);
    };
  }

  #onWelcome(socket: WebSocket, welcome: WelcomeData): void {
    this.#welcome = welcome;
    this.#resume.welcome(welcome);
    this.#attempt = 0;
    this.#renewed = false;
    this.#setState("open", welcome.recovered === undefined ? {} : { recovered: welcome.recovered });
    this.#events.emit("welcome", welcome);
    this.#refresher.arm();
    this.#queue.flush((frame) => socket.send(frame));
  }

  #onFrame(frame: ServerFrame): void {
    if (REPLIES.has(frame.type)) {
      if (this.#queue.settle(frame) || frame.type !== "error") return;
      return this.#events.emit("error", errorOf(frame));
    }
    if (typeof frame.id === "number" && !this.#resume.accept(frame.id)) return;
    this.#events.emit("message", frame);
    this.#events.emit(frame.type, frame);
  }

  async #onClose(
    code: number,
    reason: string,
    welcomed: boolean,
    token: string,
    query: Record<string, string>,
  ): Promise<void> {
    this.#refresher.disarm();
    if (this.#isClosed()) return;
    const verdict = closeVerdict(code, reason, welcomed, this.#options.floodBackoffMs);
    if (verdict.failInFlight) this.#queue.failInFlight(verdict.failInFlight);
    this.#queue.pause(new RoomdError("disconnected", "Cannot confirm: the connection dropped"));
    let action = verdict.action;
    let why: StateReason = verdict.reason;
    let waitMs = verdict.minDelayMs;
    if (action === "check") {
      const url = roomUrl(this.#base, "connect", this.#options.room, query);
      const check = await checkHandshake(this.#options.fetch, url, token);
      if (this.#isClosed()) return;
      action = check.action === "wait" ? "retry" : check.action;
      if (check.action !== "retry") why = { ...reasonOf(check.error), closeCode: code };
      if (check.action === "wait") waitMs = check.ms;
    }
    if (action === "stop") return this.#stop(why);
    if (action === "renew") {
      if (!this.#tokens.renewable || this.#renewed) return this.#stop(why);
      this.#renewed = true;
      try {
        await this.#tokens.fresh();
      } catch (error) {
        return this.#stop(reasonOf(error));
      }
      if (this.#isClosed()) return;
    }
    this.#retry(why, waitMs, action === "renew");
  }

  #retry(reason: StateReason, minDelayMs: number, now: boolean): void {
    if (this.#attempt >= this.#options.maxAttempts) {
      return this.#stop({
        ...reason,
        message: `Gave up after ${this.#attempt} attempts: ${reason.message}`,
      });
    }
    const { backoff, random, clock } = this.#options;
    const jitter = now ? 0 : backoffDelay(this.#attempt, backoff, random);
    const delayMs = Math.max(minDelayMs, jitter);
    this.#attempt++;
    this.#setState("reconnecting", { reason, delayMs });
    this.#timer = clock.setTimeout(() => this.#open(), delayMs);
  }

  #stop(reason: StateReason, closeCode?: number): void {
    if (this.#isClosed()) return;
    const { clock } = this.#options;
    clock.clearTimeout(this.#timer);
    this.#refresher.disarm();
    const socket = this.#socket;
    this.#socket = null;
    if (socket !== null && closeCode !== undefined) {
      try {
        socket.close(closeCode, "client closed");
      } catch { /* already closing */ }
    }
    this.#queue.rejectAll(new RoomdError(reason.code, `Cannot send: ${reason.message}`));
    this.#setState("closed", { reason });
  }

  #isClosed(): boolean {
    return this.#state === "closed";
  }

  /** Hands a fresh token to the open connection (the `refresh` message). */
  #deliverToken(token: string): Promise<void> {
    const ref = this.#nextRef();
    const frame = JSON.stringify({ type: "refresh", data: { token }, ref });
    return this.#queue.add(ref, frame, () => undefined, false);
  }
}

function reasonOf(error: unknown): StateReason {
  if (error instanceof RoomdError) return { code: error.code, message: error.message };
  return { code: "error", message: (error as Error)?.message ?? String(error) };
}
