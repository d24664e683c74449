/**
 * The connection state machine: opens a socket, hands its frames on, and after a close
 * decides (by close code, or by asking `GET /api/connect/:room_id` when the handshake failed)
 * whether to reconnect after a back-off, with a fresh token, or to stop.
 *
 * @module
 */
import { backoffDelay } from "./backoff.ts";
import type { TimerId } from "./clock.ts";
import { closeVerdict } from "./close_verdict.ts";
import { RoomdError, stateReason } from "./errors.ts";
import type { ConnectionState, StateChange, StateReason } from "./events.ts";
import { isWelcome, parseFrame, refMaker } from "./frames.ts";
import { checkHandshake } from "./handshake.ts";
import type { ResolvedOptions } from "./options.ts";
import type { ResumeState } from "./resume.ts";
import type { SendQueue } from "./send_queue.ts";
import type { TokenSource } from "./token.ts";
import { TokenRefresher } from "./token_refresh.ts";
import type { ServerFrame, WelcomeData } from "./types.ts";
import { roomUrl, socketTarget } from "./urls.ts";

/** What the loop tells its client. */
export interface LoopHooks {
  /** The state changed. */
  onState(change: StateChange): void;
  /** A connection got its welcome. */
  onWelcome(welcome: WelcomeData): void;
  /** Any later frame. */
  onFrame(frame: ServerFrame): void;
  /** A token could not be refreshed in time (the connection goes on until its expiry). */
  onRefreshError(error: unknown): void;
}

/** The parts a loop works with. */
export interface LoopParts {
  /** The server's base URL. */
  base: string;
  /** Options with defaults. */
  options: ResolvedOptions;
  /** The token. */
  tokens: TokenSource;
  /** The stream position. */
  resume: ResumeState;
  /** Sends awaiting replies. */
  queue: SendQueue;
}

/**
 * Keeps one room connection up until `stop`. Starts at once (in a microtask).
 */
export class ConnectionLoop {
  readonly #parts: LoopParts;
  readonly #hooks: LoopHooks;
  readonly #refresher: TokenRefresher;
  #state: ConnectionState = "connecting";
  #socket: WebSocket | null = null;
  #attempt = 0;
  #renewed = false;
  #timer: TimerId | undefined;

  /**
   * @param parts Options, token, position and queue.
   * @param hooks Where events go.
   */
  constructor(parts: LoopParts, hooks: LoopHooks) {
    this.#parts = parts;
    this.#hooks = hooks;
    const { options, tokens, queue } = parts;
    const nextRef = refMaker();
    this.#refresher = new TokenRefresher(
      tokens,
      options.clock,
      options.refreshBeforeMs,
      (token) => {
        const ref = nextRef();
        const frame = JSON.stringify({ type: "refresh", data: { token }, ref });
        return queue.add(ref, frame, () => undefined, false);
      },
      hooks.onRefreshError,
    );
    queueMicrotask(() => this.#open());
  }

  /** The connection state. */
  get state(): ConnectionState {
    return this.#state;
  }

  /**
   * Stops for good: no reconnect, waiting sends reject.
   *
   * @param reason Why (in the `closed` state event).
   * @param closeCode Closes the open socket with this code, if any.
   */
  stop(reason: StateReason, closeCode?: number): void {
    if (this.#closed()) return;
    this.#parts.options.clock.clearTimeout(this.#timer);
    this.#refresher.disarm();
    const socket = this.#socket;
    this.#socket = null;
    if (socket !== null && closeCode !== undefined) {
      try {
        socket.close(closeCode, "client closed");
      } catch { /* already closing */ }
    }
    this.#parts.queue.rejectAll(new RoomdError(reason.code, `Cannot send: ${reason.message}`));
    this.#setState("closed", { reason });
  }

  #closed(): boolean {
    return this.#state === "closed";
  }

  #setState(state: ConnectionState, extra: Omit<StateChange, "state" | "previous"> = {}): void {
    const previous = this.#state;
    this.#state = state;
    this.#hooks.onState({ state, previous, ...extra });
  }

  async #open(): Promise<void> {
    if (this.#closed()) return;
    const { base, options, tokens, resume } = this.#parts;
    let token: string;
    try {
      token = await tokens.current();
    } catch (error) {
      return this.#retry(stateReason(error), 0, false);
    }
    if (this.#closed()) return;
    const query = resume.query();
    const target = socketTarget(base, options.room, token, options.tokenTransport, query);
    let socket: WebSocket;
    try {
      socket = options.webSocket(target.url, target.protocols);
    } catch (error) {
      return this.stop(stateReason(error));
    }
    this.#socket = socket;
    let welcomed = false;
    // Every error is followed by a close, handled there.
    socket.onerror = () => {};
    socket.onmessage = (event) => {
      const frame = this.#socket === socket ? parseFrame(event.data) : null;
      if (frame === null) return;
      if (welcomed || !isWelcome(frame)) return this.#hooks.onFrame(frame);
      welcomed = true;
      this.#onWelcome(socket, frame.data as WelcomeData);
    };
    socket.onclose = (event) => {
      if (this.#socket !== socket) return;
      this.#socket = null;
      this.#onClose(event.code, event.reason, welcomed, token, query);
    };
  }

  #onWelcome(socket: WebSocket, welcome: WelcomeData): void {
    this.#parts.resume.welcome(welcome);
    this.#attempt = 0;
    this.#renewed = false;
    this.#setState("open", welcome.recovered === undefined ? {} : { recovered: welcome.recovered });
    this.#hooks.onWelcome(welcome);
    this.#refresher.arm();
    this.#parts.queue.flush((frame) => socket.send(frame));
  }

  async #onClose(
    code: number,
    reason: string,
    welcomed: boolean,
    token: string,
    query: Record<string, string>,
  ): Promise<void> {
    this.#refresher.disarm();
    if (this.#closed()) return;
    const { base, options, tokens, queue } = this.#parts;
    const verdict = closeVerdict(code, reason, welcomed, options.floodBackoffMs);
    if (verdict.failInFlight) queue.failInFlight(verdict.failInFlight);
    queue.pause(new RoomdError("disconnected", "Cannot confirm: the connection dropped"));
    let action = verdict.action;
    let why = verdict.reason;
    let waitMs = verdict.minDelayMs;
    if (action === "check") {
      const url = roomUrl(base, "connect", options.room, query);
      const check = await checkHandshake(options.fetch, url, token);
      if (this.#closed()) return;
      action = check.action === "wait" ? "retry" : check.action;
      if (check.action !== "retry") why = { ...stateReason(check.error), closeCode: code };
      if (check.action === "wait") waitMs = check.ms;
    }
    if (action === "stop") return this.stop(why);
    if (action === "renew") {
      // A token just renewed and refused again will not get better: stop.
      if (!tokens.renewable || this.#renewed) return this.stop(why);
      this.#renewed = true;
      try {
        await tokens.fresh();
      } catch (error) {
        if (!this.#closed()) this.#retry(stateReason(error), 0, false);
        return;
      }
      if (this.#closed()) return;
    }
    this.#retry(why, waitMs, action === "renew");
  }

  #retry(reason: StateReason, minDelayMs: number, now: boolean): void {
    const { maxAttempts, backoff, random, clock } = this.#parts.options;
    if (this.#attempt >= maxAttempts) {
      return this.stop({
        ...reason,
        message: `Gave up after ${this.#attempt} attempts: ${reason.message}`,
      });
    }
    const jitter = now ? 0 : backoffDelay(this.#attempt, backoff, random);
    const delayMs = Math.max(minDelayMs, jitter);
    this.#attempt++;
    this.#setState("reconnecting", { reason, delayMs });
    this.#timer = clock.setTimeout(() => this.#open(), delayMs);
  }
}
