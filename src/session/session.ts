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
import type { Expiry, ExpiryScheduler } from "./expiry_scheduler.ts";
import { countTooLarge, handleFrame, type InboundDeps } from "./inbound.ts";
import {
  MessageLimiter,
  type RateSettings,
  type SharedBuckets,
} from "../limits/message_limiter.ts";
import type { Socket } from "../ws/socket.ts";
import { startConnectionSpan } from "../ws/connection_span.ts";
import type { SocketHandlers } from "../ws/upgrade.ts";

/** Everything a session is made of. */
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
  /** The room's rate limits. */
  rate: RateSettings;
  /** Per-user buckets shared across connections. */
  userBuckets: SharedBuckets;
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
  /** Closes the connection when its token expires. */
  expiries: ExpiryScheduler;
  /** Releases the connection-limit slot. */
  release: () => void;
  /** Told when the connection is cut off as a slow consumer (shared by connections). */
  onSlowConsumer: SlowConsumerHook;
}

/**
 * Builds the socket handlers of an admitted connection.
 *
 * @param init The session's parts.
 * @returns Handlers for {@linkcode upgradeWebSocket}.
 */
export function createSession(init: SessionInit): SocketHandlers {
  // The handlers keep what they use, not `init`: an idle connection should hold little.
  const { room, principal, metrics, log, userBuckets, inbound, expiries, release, resume } = init;
  const { idleTimeoutS, logDebug } = init;
  const bucketKey = `${room.id}\u0000${principal.id}`;
  const limiter = new MessageLimiter(
    init.rate,
    (rate) => userBuckets.acquire(bucketKey, rate),
  );
  const connection = new Connection({
    id: init.id,
    principal,
    roomId: room.id,
    ip: init.ip,
    socket: init.socket,
    maxQueueBytes: init.maxQueueBytes,
    limiter,
    log,
    onSlowConsumer: init.onSlowConsumer,
  });
  const span = startConnectionSpan({
    connectionId: init.id,
    roomId: room.id,
    userId: principal.id,
    ip: init.ip,
  });
  let expiry: Expiry | null = null;
  let opened = false;
  const onExpiry = () => connection.close(CloseCode.tokenExpired, "token expired");
  const moveExpiry = (at: number) => {
    if (expiry === null || connection.closing) return;
    expiry.cancel();
    expiry = expiries.add(at, onExpiry);
  };
  return {
    onOpen() {
      opened = true;
      metrics.connectionAccepted();
      if (logDebug) log.debug("Connection open", connection.logContext());
      expiry = expiries.add(principal.expiresAt, onExpiry);
      room.attach(connection, resume);
    },
    onMessage(data) {
      handleFrame(connection, room, data, inbound, moveExpiry);
    },
    onClose(code, reason) {
      expiry?.cancel();
      room.leave(connection.id);
      if (limiter.holdsUserBucket) userBuckets.release(bucketKey);
      release();
      if (opened) metrics.connectionClosed(code);
      span.end(code, reason);
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
      connection.log[level]("Connection closed by client with {code} {reason}", {
        code,
        reason,
      });
    },
  };
}
