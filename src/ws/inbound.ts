/**
 * What happens to a frame a client sends: size check, rate limit, decode, then hand-off to the
 * room actor. Bad input becomes an `error` reply (or a close code); it never throws.
 *
 * @module
 */
import type { Metrics } from "../metrics/metrics.ts";
import { decodeFrame, encodeError, utf8Length } from "../protocol/codec.ts";
import type { ErrorData } from "../protocol/envelope.ts";
import { readRef, type TypeRegistry } from "../protocol/schemas.ts";
import type { Room } from "../room/room.ts";
import { CloseCode } from "./close_codes.ts";
import type { Connection } from "./connection.ts";

/** What frame handling needs from the server. */
export interface InboundDeps {
  /** Largest accepted frame, in UTF-8 bytes. */
  maxMessageBytes: number;
  /** Publishable types. */
  types: TypeRegistry;
  /** Counters. */
  metrics: Metrics;
}

/**
 * Handles one incoming frame of a connection.
 *
 * @param connection The sender.
 * @param room The sender's room.
 * @param frame The frame's data as the socket delivered it.
 * @param deps Limits, types and metrics.
 */
export function handleFrame(
  connection: Connection,
  room: Room,
  frame: unknown,
  deps: InboundDeps,
): void {
  const { metrics } = deps;
  if (typeof frame !== "string") {
    metrics.frameReceived(binaryLength(frame));
    return reply(connection, metrics, {
      code: "invalid_message",
      message: "Cannot read message: binary frames are not supported, send JSON text",
    });
  }
  const bytes = utf8Length(frame);
  if (bytes > deps.maxMessageBytes) {
    metrics.frameReceived(bytes);
    metrics.error("message_too_large");
    return connection.close(CloseCode.tooLarge, "message too large");
  }
  const limit = connection.limiter.check();
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
  metrics.messageReceived(message.type, room.id, bytes);
  room.publish(connection, message.type, message.data, message.persist, message.ref, message.cid);
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
