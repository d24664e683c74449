/**
 * OpenTelemetry spans of roomd: one span per WebSocket connection, from admission to close,
 * and room attributes on the HTTP request span Deno creates for `Deno.serve` (plus masked
 * copies of its URL attributes; see {@linkcode maskTokenOnRequestSpan} for what they cannot do).
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
 * import { startConnectionSpan } from "./tracing.ts";
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

/**
 * Adds the matched route, and the room id when the route has one, to the active span: the
 * HTTP request span of `Deno.serve` when called from a request handler.
 *
 * @param route The route's path pattern, e.g. `/ws/:room_id`.
 * @param roomIdOf Gives the room the request is about, or `null`; called only when there is
 *   a span to tag, so that requests pay nothing for it without tracing.
 *
 * @example
 * ```ts
 * import { tagRequestSpan } from "./tracing.ts";
 * tagRequestSpan("/ws/:room_id", () => "lobby");
 * ```
 */
export function tagRequestSpan(route: string, roomIdOf: () => string | null): void {
  const span = trace.getActiveSpan();
  if (span === undefined) return;
  span.setAttribute("http.route", route);
  const roomId = roomIdOf();
  if (roomId !== null) span.setAttribute(ROOM_ID_ATTRIBUTE, roomId);
}

/** What a masked query parameter reads on spans. */
const MASKED = "REDACTED";

/**
 * Adds copies of `url.full` and `url.query` with the `token` query parameter masked to the
 * active span (the HTTP request span of `Deno.serve`), so that a trace viewer which keeps the
 * last value of an attribute shows no token.
 *
 * This does NOT keep a `?token=` from the collector: Deno 2.9.6 records the request's URL when
 * it starts the span, and `setAttribute` appends a second copy rather than replacing the first,
 * so the exported span holds both (tests/ws/tracing_test.ts shows it). With tracing on, clients
 * must send their token in the `roomd.token.` subprotocol or an `Authorization` header.
 *
 * @param requestUrl The request's URL.
 *
 * @example Without a span nothing happens
 * ```ts
 * import { maskTokenOnRequestSpan } from "./tracing.ts";
 * maskTokenOnRequestSpan("http://localhost/ws/lobby?token=secret");
 * ```
 */
export function maskTokenOnRequestSpan(requestUrl: string): void {
  if (!requestUrl.includes("token=")) return;
  const span = trace.getActiveSpan();
  if (span === undefined || !span.isRecording()) return;
  const url = new URL(requestUrl);
  if (!url.searchParams.has("token")) return;
  url.searchParams.set("token", MASKED);
  span.setAttribute("url.full", url.href);
  span.setAttribute("url.query", url.search.slice(1));
}
