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
import type { BroadcastLedger } from "./broadcast_ledger.ts";

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
  /** The connection's rate limiter. */
  limiter: MessageLimiter;
  /** Logger to which the connection adds its context (see {@linkcode Connection.log}). */
  log: Logger;
  /** Told when the connection is cut as a slow consumer. */
  onSlowConsumer: SlowConsumerHook;
}

/**
 * A member's connection. Sending never blocks: the frame is handed to the socket, and when the
 * socket's backlog (`bufferedAmount`) passes the cap the connection is closed with 4408.
 *
 * Reading `bufferedAmount` is a call into the runtime, so it is read only when the bytes sent
 * since the last reading could have taken the backlog past the cap: the backlog grows only by
 * what is sent, so this cuts a client off at exactly the same send as reading it every time.
 * Frames sent to this connection alone count here at once; a room's broadcasts are written to
 * the sockets directly and count in the room's {@linkcode BroadcastLedger}, which the
 * connection adds to its own count when it checks, and which the room settles
 * ({@linkcode Connection.settle}) before any member could be past the cap. (A fake socket
 * whose `bufferedAmount` is raised by hand is seen at the next reading: set it before the
 * first send.)
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
  /** When the connection joined (ms since epoch). */
  readonly joinedAt: number = Date.now();
  /** The connection's rate limiter. */
  readonly limiter: MessageLimiter;
  readonly #baseLog: Logger;
  #log: Logger | null = null;
  readonly #socket: Socket;
  readonly #maxQueueBytes: number;
  readonly #onSlowConsumer: SlowConsumerHook;
  #closing = false;
  #closedByServer = false;
  /** Bytes sent since `bufferedAmount` was last read, besides what the ledger holds. */
  #sentSinceReading = 0;
  /** How far the backlog was below the cap at the last reading (read when attached to a room). */
  #headroom = 0;
  /** The room's broadcasts not yet counted here, once attached. */
  #ledger: BroadcastLedger | null = null;

  /** @param init Identity, socket and limits. */
  constructor(init: ConnectionInit) {
    this.id = init.id;
    this.principal = init.principal;
    this.roomId = init.roomId;
    this.ip = init.ip;
    this.limiter = init.limiter;
    this.#baseLog = init.log;
    this.#socket = init.socket;
    this.#maxQueueBytes = init.maxQueueBytes;
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
    this.#sentSinceReading += bytes;
    const pending = this.#ledger === null ? 0 : this.#ledger.pending;
    if (this.#sentSinceReading + pending > this.#headroom) this.#readBacklog(pending);
    this.#reportSlack();
    return true;
  }

  /**
   * Counts the room's broadcasts from now on in `ledger`, which this connection keeps below
   * its slack.
   *
   * @param ledger The room's ledger.
   */
  useLedger(ledger: BroadcastLedger): void {
    this.#ledger = ledger;
    // Reading now reports the real slack; with none, the room's limit would drop to 0 and the
    // next broadcast would settle every member (a join storm would cost O(n²) settlements).
    // The bytes already pending were broadcast before this connection joined: not counted.
    this.#readBacklog(ledger.pending);
    this.#reportSlack();
  }

  /**
   * Adds a settlement's bytes to this connection's count; reads the backlog once half of the
   * headroom is used (so that the members of a room read at about the same time, and the room
   * settles about once per half cap), cutting the connection off past the cap.
   *
   * @param pending The bytes broadcast since the last settlement.
   */
  settle(pending: number): void {
    if (this.closing) return;
    this.#sentSinceReading += pending;
    if (2 * this.#sentSinceReading >= this.#headroom) this.#readBacklog(0);
    this.#reportSlack();
  }

  #reportSlack(): void {
    if (!this.#closing) this.#ledger?.lower(this.#headroom - this.#sentSinceReading);
  }

  /**
   * Reads the socket's backlog: closes with 4408 past the cap, else resets the budget. The
   * backlog already holds the ledger's `pending` bytes, which the next settlement adds to the
   * count again: they are subtracted now.
   */
  #readBacklog(pending: number): void {
    const backlog = this.#socket.bufferedAmount;
    if (backlog > this.#maxQueueBytes) {
      this.close(CloseCode.slowConsumer, "slow consumer");
      this.#onSlowConsumer(this);
      return;
    }
    this.#sentSinceReading = -pending;
    this.#headroom = this.#maxQueueBytes - backlog;
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
