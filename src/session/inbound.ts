/**
 * What happens to a frame a client sends: size check, rate limit, decode, then hand-off to the
 * room actor. Bad input becomes an `error` reply (or a close code); it never throws.
 *
 * @module
 */
import type { Metrics } from "../metrics/metrics.ts";
import { decodeFrame, encodeError } from "../protocol/codec.ts";
import { utf8Length } from "../protocol/utf8_length.ts";
import type { ErrorData } from "../protocol/envelope.ts";
import { readRef, type TypeRegistry } from "../protocol/schemas.ts";
import type { Room } from "../room/room.ts";
import { CloseCode } from "../ws/close_codes.ts";
import type { Connection } from "../ws/connection.ts";
import { refreshToken, type TokenHolder } from "./token_refresh.ts";
import type { TokenVerifier } from "../auth/verifier.ts";
import { MessageLimiter, type SharedBuckets } from "../limits/message_limiter.ts";

/** What frame handling needs from the server. */
export interface InboundDeps {
  /** Largest accepted frame, in UTF-8 bytes. */
  maxMessageBytes: number;
  /** Publishable types. */
  types: TypeRegistry;
  /** Counters. */
  metrics: Metrics;
  /** Told when a connection is closed with 1009 (reconnect penalties). */
  onTooLarge?: (connection: Connection) => void;
  /** Verifies the tokens of `refresh` requests. */
  verifier: TokenVerifier;
  /** Per-user buckets shared across a user's connections in a room. */
  userBuckets: SharedBuckets;
}

/**
 * Handles one incoming frame of a connection.
 *
 * @param connection The sender.
 * @param room The sender's room.
 * @param frame The frame's data as the socket delivered it.
 * @param deps Limits, types and metrics.
 * @param holder Holds the connection's token-expiry deadline (moved by a `refresh`).
 */
export function handleFrame(
  connection: Connection,
  room: Room,
  frame: unknown,
  deps: InboundDeps,
  holder: TokenHolder,
): void {
  const { metrics } = deps;
  if (typeof frame !== "string") {
    // Binary frames close at once: roomd speaks JSON text only, and answering each one (outside
    // the rate limit, as roomd once did) let a client keep the server busy for nothing.
    const bytes = binaryLength(frame);
    metrics.frameReceived(bytes);
    if (bytes > deps.maxMessageBytes) return tooLarge(connection, deps);
    metrics.error("binary_frame");
    return connection.close(CloseCode.unsupportedData, "binary frames are not supported");
  }
  const bytes = utf8Length(frame);
  if (bytes > deps.maxMessageBytes) {
    metrics.frameReceived(bytes);
    return tooLarge(connection, deps);
  }
  const limit = limiterOf(connection, room, deps).check();
  if (!limit.ok) {
    metrics.frameReceived(bytes);
    metrics.rateLimited();
    if (limit.flooding) return connection.close(CloseCode.flooding, "flooding");
    return reply(connection, metrics, {
      code: "rate_limited",
      message: "Cannot accept message: rate limit exceeded",
      retry_after_ms: limit.retryAfterMs,
    }, refOf(frame));
  }
  const decoded = decodeFrame(frame, deps.types);
  if (!decoded.ok) {
    metrics.frameReceived(bytes);
    return reply(connection, metrics, decoded.error, decoded.ref);
  }
  const message = decoded.message;
  if (message.kind === "history") {
    metrics.messageReceived("history", room.id, bytes);
    return room.sendHistory(connection, message.query, message.ref);
  }
  if (message.kind === "refresh") {
    metrics.messageReceived("refresh", room.id, bytes);
    return void refreshToken(connection, message.token, message.ref, deps, holder);
  }
  if (message.kind === "members") {
    metrics.messageReceived("members", room.id, bytes);
    return room.sendMembers(connection, message.query.cursor, message.query.limit, message.ref);
  }
  metrics.messageReceived(message.type, room.id, bytes);
  room.publish(connection, message.type, message.data, message.persist, message.ref, message.cid);
}

function tooLarge(connection: Connection, deps: InboundDeps): void {
  connection.close(CloseCode.tooLarge, "message too large");
  countTooLarge(connection, deps);
}

/**
 * Counts a frame over the size limit against its connection (metric and reconnect penalty),
 * whichever layer refused it: roomd after reading it, or the `ws` transport from its header.
 *
 * @param connection The connection that sent it.
 * @param deps Metrics and the penalty hook.
 */
export function countTooLarge(connection: Connection, deps: InboundDeps): void {
  deps.metrics.error("message_too_large");
  deps.onTooLarge?.(connection);
}

function reply(connection: Connection, metrics: Metrics, error: ErrorData, ref?: string): void {
  metrics.error(error.code);
  const frame = encodeError(error, ref);
  const bytes = utf8Length(frame);
  if (connection.send(frame, bytes)) metrics.delivered("error", 1, bytes);
}

/** The `ref` of a frame refused before decoding, so the client can match the error to it. */
function refOf(frame: string): string | undefined {
  try {
    return readRef(JSON.parse(frame));
  } catch {
    return undefined;
  }
}

function binaryLength(frame: unknown): number {
  if (frame instanceof ArrayBuffer) return frame.byteLength;
  if (frame instanceof Blob) return frame.size;
  return 0;
}

/** The connection's limiter, made at its first message with the room's rate at that time. */
function limiterOf(connection: Connection, room: Room, deps: InboundDeps): MessageLimiter {
  return connection.limiter ??= new MessageLimiter(
    room.rate(),
    deps.userBuckets,
    room.id,
    connection.principal.id,
  );
}
