/**
 * Wiring one admitted WebSocket to its room: open → attach, frames → room, close → leave,
 * plus the token-expiry deadline (in the shared scheduler) and the release of limits.
 *
 * @module
 */
import type { Principal } from "../auth/principal.ts";
import type { Logger } from "../log.ts";
import type { Metrics } from "../metrics/metrics.ts";
import type { ResumeRequest, Room } from "../room/room.ts";
import { CloseCode, closeLogLevel, isIdleTimeout } from "../ws/close_codes.ts";
import { Connection, type SlowConsumerHook } from "../ws/connection.ts";
import type { Expiring, Expiry, ExpiryScheduler } from "./expiry_scheduler.ts";
import { countTooLarge, handleFrame, type InboundDeps } from "./inbound.ts";
import type { Socket } from "../ws/socket.ts";
import { type ConnectionSpan, startConnectionSpan } from "../ws/connection_span.ts";
import type { SocketHandlers } from "../ws/upgrade.ts";
import type { TokenHolder } from "./token_refresh.ts";

/** What every session of a route shares: built once, not once per connection. */
export interface SessionShared {
  /** Largest outbound backlog before 4408. */
  maxQueueBytes: number;
  /** Frame handling dependencies. */
  inbound: InboundDeps;
  /** Counters. */
  metrics: Metrics;
  /** Logger of the route; the connection adds its context when it logs. */
  log: Logger;
  /** The runtime's ping/pong idle timeout in seconds, for the log line when it fires. */
  idleTimeoutS?: number;
  /**
   * Whether debug lines are written. logtape builds a record (message, properties, category)
   * before it checks the level, some 10 µs: routine open and close lines skip that when off.
   */
  logDebug: boolean;
  /** Closes connections when their tokens expire. */
  expiries: ExpiryScheduler;
  /** Gives back what a connection held (its connection-limit slots) once it ends. */
  release: (connection: Connection) => void;
  /** Told when a connection is cut off as a slow consumer. */
  onSlowConsumer: SlowConsumerHook;
}

/** What one session is made of. */
export interface SessionInit {
  /** Connection id. */
  id: string;
  /** The socket, not yet open. */
  socket: Socket;
  /** The authenticated user. */
  principal: Principal;
  /** The room that admitted the connection. */
  room: Room;
  /** Client address. */
  ip: string;
  /** Resume request from `?since=&epoch=`. */
  resume?: ResumeRequest;
}

/**
 * The socket handlers of one admitted connection. Idle connections are most of a node's, so a
 * session is one object whose methods are shared by all: it is its own expiry target and token
 * holder, and what is the same for every connection of the route stays in
 * {@linkcode SessionShared}.
 */
export class Session implements SocketHandlers, Expiring, TokenHolder {
  readonly #shared: SessionShared;
  readonly #room: Room;
  readonly #connection: Connection;
  readonly #resume: ResumeRequest | undefined;
  readonly #span: ConnectionSpan;
  #expiry: Expiry | null = null;
  #opened = false;

  /**
   * @param init The connection's parts.
   * @param shared What the route's sessions share.
   */
  constructor(init: SessionInit, shared: SessionShared) {
    const { room, principal } = init;
    this.#shared = shared;
    this.#room = room;
    this.#resume = init.resume;
    this.#connection = new Connection({
      id: init.id,
      principal,
      roomId: room.id,
      ip: init.ip,
      socket: init.socket,
      maxQueueBytes: shared.maxQueueBytes,
      log: shared.log,
      onSlowConsumer: shared.onSlowConsumer,
    });
    this.#span = startConnectionSpan({
      connectionId: init.id,
      roomId: room.id,
      userId: principal.id,
      ip: init.ip,
    });
  }

  /** {@inheritDoc SocketHandlers.onOpen} */
  onOpen(): void {
    const { metrics, log, logDebug, expiries } = this.#shared;
    const connection = this.#connection;
    this.#opened = true;
    metrics.connectionAccepted();
    if (logDebug) log.debug("Connection open", connection.logContext());
    this.#expiry = expiries.add(connection.principal.expiresAt, this);
    this.#room.attach(connection, this.#resume);
  }

  /** {@inheritDoc SocketHandlers.onMessage} */
  onMessage(data: unknown): void {
    handleFrame(this.#connection, this.#room, data, this.#shared.inbound, this);
  }

  /** {@inheritDoc SocketHandlers.onClose} */
  onClose(code: number, reason: string): void {
    const { metrics, inbound, idleTimeoutS, logDebug } = this.#shared;
    const connection = this.#connection;
    this.#expiry?.cancel();
    this.#room.leave(connection.id);
    connection.limiter?.release();
    this.#shared.release(connection);
    if (this.#opened) metrics.connectionClosed(code);
    this.#span.end(code, reason);
    if (connection.closedByServer) return;
    // The ws transport refuses an oversized frame from its header, before roomd reads it.
    if (code === CloseCode.tooLarge) countTooLarge(connection, inbound);
    if (isIdleTimeout(code, reason)) {
      metrics.error("idle_timeout");
      connection.log.info("Connection closed with {code}: {reason}", {
        code,
        reason: `idle timeout: nothing received, not even a pong, within ${idleTimeoutS} s`,
      });
      return;
    }
    const level = closeLogLevel(code);
    if (level === "debug" && !logDebug) return;
    connection.log[level]("Connection closed by client with {code} {reason}", { code, reason });
  }

  /** The token expired: the connection closes with 4401. */
  expire(): void {
    this.#connection.close(CloseCode.tokenExpired, "token expired");
  }

  /** {@inheritDoc TokenHolder.moveExpiry} */
  moveExpiry(at: number): void {
    if (this.#expiry === null || this.#connection.closing) return;
    this.#expiry.cancel();
    this.#expiry = this.#shared.expiries.add(at, this);
  }
}
