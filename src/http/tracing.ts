/**
 * Room attributes on the HTTP request span Deno creates for `Deno.serve` (plus masked copies of
 * its URL attributes; see {@linkcode maskTokenOnRequestSpan} for what they cannot do). The span
 * of each WebSocket connection is started in `ws/connection_span.ts`.
 *
 * Spans go through `@opentelemetry/api`. Under `OTEL_DENO=true` Deno registers its tracer
 * provider and context manager with that API, so these spans are exported with Deno's own and
 * a connection span is a child of the HTTP request that upgraded it. Without it every call
 * here is a no-op.
 *
 * @module
 */
import { trace } from "@opentelemetry/api";
import { ROOM_ID_ATTRIBUTE } from "../ws/connection_span.ts";

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
 * so the exported span holds both (tests/http/tracing_test.ts shows it). With tracing on, clients
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
