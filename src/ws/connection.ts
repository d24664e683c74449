/**
 * One client connection: who it is, which room it is in, and its outbound side with a cap on
 * what may queue up for it.
 *
 * @module
 */
import type { Principal } from "../auth/principal.ts";
import type { Logger } from "../log.ts";
import { utf8Length } from "../protocol/utf8_length.ts";
import { CloseCode, closeLogLevel } from "./close_codes.ts";
import { OPEN, type Socket } from "./socket.ts";
import type { MessageLimiter } from "../limits/message_limiter.ts";
import { type BroadcastLedger, SendBudget } from "./send_budget.ts";

/** Called once when a connection is cut for reading too slowly. */
export type SlowConsumerHook = (connection: Connection) => void;

/** Everything a connection is built from. */
export interface ConnectionInit {
  /** Unique id, for logs and the members API. */
  id: string;
  /** The authenticated user. */
  principal: Principal;
  /** Room joined. */
  roomId: string;
  /** Client address (after proxy handling). */
  ip: string;
  /** The socket. */
  socket: Socket;
  /** Largest outbound backlog, in bytes, before the client is cut off. */
  maxQueueBytes: number;
  /** Logger to which the connection adds its context (see {@linkcode Connection.log}). */
  log: Logger;
  /** Told when the connection is cut as a slow consumer. */
  onSlowConsumer: SlowConsumerHook;
}

/**
 * A member's connection. Sending never blocks: the frame is handed to the socket, and when the
 * socket's backlog passes the cap the connection is closed with 4408 (found as explained in
 * `send_budget.ts`).
 */
export class Connection {
  /** Unique id. */
  readonly id: string;
  /** The authenticated user. */
  readonly principal: Principal;
  /** Room joined. */
  readonly roomId: string;
  /** Client address. */
  readonly ip: string;
  /** The connection's rate limiter, made at its first message (see `session/inbound.ts`). */
  limiter: MessageLimiter | null = null;
  readonly #baseLog: Logger;
  #log: Logger | null = null;
  readonly #socket: Socket;
  readonly #onSlowConsumer: SlowConsumerHook;
  #closing = false;
  #closedByServer = false;
  readonly #budget: SendBudget;

  /** @param init Identity, socket and limits. */
  constructor(init: ConnectionInit) {
    this.id = init.id;
    this.principal = init.principal;
    this.roomId = init.roomId;
    this.ip = init.ip;
    this.#baseLog = init.log;
    this.#socket = init.socket;
    this.#budget = new SendBudget(init.socket, init.maxQueueBytes);
    this.#onSlowConsumer = init.onSlowConsumer;
  }

  /** Whether `close` was called (or the socket is no longer open). */
  get closing(): boolean {
    return this.#closing || this.#socket.readyState !== OPEN;
  }

  /**
   * Logger with the connection's context (`ip`, `conn`, `room`, `user`), made on first use:
   * most connections never log after opening, and an idle connection should hold little.
   */
  get log(): Logger {
    return this.#log ??= this.#baseLog.with(this.logContext());
  }

  /**
   * The connection's log context, for a line written through another logger.
   *
   * @returns `ip`, `conn`, `room` and `user`.
   */
  logContext(): Record<string, string> {
    return { ip: this.ip, conn: this.id, room: this.roomId, user: this.principal.id };
  }

  /** The socket, which a room's broadcast writes to directly. */
  get socket(): Socket {
    return this.#socket;
  }

  /** Whether roomd closed the connection (and logged why). */
  get closedByServer(): boolean {
    return this.#closedByServer;
  }

  /**
   * Hands a frame to the socket; cuts the connection off (4408) when its backlog passes the cap.
   *
   * @param frame A serialized message.
   * @param bytes Its UTF-8 size, when the caller knows it.
   * @returns Whether the frame was handed over.
   */
  send(frame: string, bytes: number = utf8Length(frame)): boolean {
    if (this.closing) return false;
    this.#socket.send(frame);
    if (!this.#budget.sent(bytes)) this.#cutOff();
    return true;
  }

  /**
   * Counts the room's broadcasts from now on in `ledger` (see `send_budget.ts`).
   *
   * @param ledger The room's ledger.
   */
  useLedger(ledger: BroadcastLedger): void {
    if (!this.#budget.useLedger(ledger)) this.#cutOff();
  }

  /**
   * Adds a settlement's bytes to this connection's budget (see `send_budget.ts`).
   *
   * @param pending The bytes broadcast since the last settlement.
   */
  settle(pending: number): void {
    if (this.closing) return;
    if (!this.#budget.settle(pending)) this.#cutOff();
  }

  #cutOff(): void {
    this.close(CloseCode.slowConsumer, "slow consumer");
    this.#onSlowConsumer(this);
  }

  /**
   * Closes the connection once, logging the reason at the level the code deserves; later
   * calls do nothing.
   *
   * @param code Close code.
   * @param reason Short reason sent to the client.
   */
  close(code: number, reason: string): void {
    if (this.#closing) return;
    this.#closing = true;
    this.#closedByServer = true;
    this.log[closeLogLevel(code)]("Closing connection with {code}: {reason}", { code, reason });
    try {
      this.#socket.close(code, reason);
    } catch (error) {
      this.log.debug("Cannot close socket: {error}", { error: String(error) });
    }
  }
}
