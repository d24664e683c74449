/**
 * The HTTP server span of a request served by the `ws` transport. Under `OTEL_DENO=true`,
 * `Deno.serve` makes this span and makes it active in the handler. Deno's `node:http` makes one
 * for ordinary requests but keeps it private (on the response, not in the async context) and
 * makes none for upgrades. So the transport activates Deno's span when there is one and makes
 * its own otherwise: roomd's route tagging, token masking and connection spans (children of the
 * upgrade's span) work the same on both transports.
 *
 * @module
 */
import { context, type Span, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";

const tracer = trace.getTracer("roomd.transport");

/**
 * Runs a request's handling inside its server span (or directly when nothing records spans).
 *
 * @param request The request.
 * @param peer The client.
 * @param handle Handles the request; it runs with the span active.
 * @param response The node response, which carries Deno's span of an ordinary request.
 * @returns The handler's response.
 *
 * @example Without a tracer provider the handler simply runs
 * ```ts
 * import assert from "assert";
 * import { inRequestSpan } from "./request_span.ts";
 * const peer = { transport: "tcp", hostname: "127.0.0.1", port: 1 } as const;
 * const response = await inRequestSpan(new Request("http://x/"), peer, async () => new Response("ok"));
 * assert.ok(response.status === 200);
 * ```
 */
export async function inRequestSpan(
  request: Request,
  peer: Deno.NetAddr,
  handle: () => Promise<Response>,
  response?: object,
): Promise<Response> {
  const existing = response && denoSpanOf(response);
  if (existing) return await context.with(trace.setSpan(context.active(), existing), handle);
  const span: Span = tracer.startSpan(request.method, { kind: SpanKind.SERVER });
  if (!span.isRecording()) return await handle();
  const url = new URL(request.url);
  span.setAttributes({
    "http.request.method": request.method,
    "url.full": url.href,
    "url.scheme": url.protocol.slice(0, -1),
    "url.path": url.pathname,
    "url.query": url.search.slice(1),
    "server.address": url.hostname,
    "server.port": Number(url.port || 80),
    "client.address": peer.hostname,
    "network.protocol.version": "1.1",
  });
  const agent = request.headers.get("user-agent");
  if (agent !== null) span.setAttribute("user_agent.original", agent);
  try {
    const response = await context.with(trace.setSpan(context.active(), span), handle);
    span.setAttribute("http.response.status_code", response.status);
    if (response.status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
    return response;
  } catch (error) {
    span.setStatus({ code: SpanStatusCode.ERROR, message: String(error) });
    throw error;
  } finally {
    span.end();
  }
}

/** Deno's private span of a `node:http` response (`kOtelSpan`), if tracing made one. */
function denoSpanOf(response: object): Span | undefined {
  const key = Object.getOwnPropertySymbols(response).find((s) => s.description === "kOtelSpan");
  const span = key && (response as Record<symbol, unknown>)[key];
  return span && typeof span === "object" && "spanContext" in span ? span as Span : undefined;
}
