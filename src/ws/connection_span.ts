/**
 * The OpenTelemetry span of one WebSocket connection, from admission to close.
 *
 * Spans go through `@opentelemetry/api`. Under `OTEL_DENO=true` Deno registers its tracer
 * provider and context manager with that API, so these spans are exported with Deno's own and
 * a connection span is a child of the HTTP request that upgraded it. Without it every call
 * here is a no-op.
 *
 * @module
 */
import { type Span, SpanStatusCode, trace } from "@opentelemetry/api";
import { CloseCode } from "./close_codes.ts";

/** Attribute holding the room id, on connection spans and on HTTP request spans. */
export const ROOM_ID_ATTRIBUTE = "roomd.room_id";

const tracer = trace.getTracer("roomd");

const NOT_RECORDING: ConnectionSpan = { end() {} };

/** Who a connection span is about. */
export interface ConnectionSpanInit {
  /** Connection id. */
  connectionId: string;
  /** Room joined. */
  roomId: string;
  /** User id. */
  userId: string;
  /** Client address. */
  ip: string;
}

/** A started connection span. */
export interface ConnectionSpan {
  /**
   * Ends the span with the close code and reason; later calls do nothing.
   *
   * @param code WebSocket close code.
   * @param reason Close reason.
   */
  end(code: number, reason: string): void;
}

/**
 * Starts the span of one connection's lifetime, as a child of the active span (the upgrade
 * request when called from its handler).
 *
 * @param init Connection, room, user and address.
 * @returns The span, to end when the socket closes.
 *
 * @example Without a tracer provider the span is a no-op
 * ```ts
 * import { startConnectionSpan } from "./connection_span.ts";
 * const span = startConnectionSpan({ connectionId: "c1", roomId: "lobby", userId: "u1", ip: "127.0.0.1" });
 * span.end(1000, "bye");
 * ```
 */
export function startConnectionSpan(init: ConnectionSpanInit): ConnectionSpan {
  const span: Span = tracer.startSpan("roomd.connection", {
    attributes: {
      [ROOM_ID_ATTRIBUTE]: init.roomId,
      "roomd.connection_id": init.connectionId,
      "enduser.id": init.userId,
      "client.address": init.ip,
    },
  });
  // Without a tracer provider the span records nothing: an idle connection then keeps no span.
  if (!span.isRecording()) return NOT_RECORDING;
  let ended = false;
  return {
    end(code, reason) {
      if (ended) return;
      ended = true;
      span.setAttributes({ "roomd.close_code": code, "roomd.close_reason": reason });
      if (code === CloseCode.internalError) {
        span.setStatus({ code: SpanStatusCode.ERROR, message: reason });
      }
      span.end();
    },
  };
}
