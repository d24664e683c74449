/**
 * CORS for the HTTP API (`/api/*`): pages on an allowed origin (the same rule as WebSockets)
 * may call it with `fetch`; other origins get no CORS headers, so browsers keep the answer from
 * them.
 *
 * @module
 */
import { type AllowedOrigins, normalizeOrigin } from "../auth/origin.ts";
import { jsonError } from "./json.ts";

/** Headers a page may send. */
const ALLOW_HEADERS = "authorization, content-type, idempotency-key";

/** How long a browser may cache a preflight answer, in seconds. */
const MAX_AGE_S = "600";

/**
 * Answers CORS around a handler for paths under `/api/`; other paths pass through untouched.
 *
 * - Preflight (`OPTIONS` on a known path): 204 with `Access-Control-Allow-Origin`, `-Methods`,
 *   `-Headers`, `-Max-Age` for an allowed origin; 403 `origin_not_allowed` without CORS headers
 *   for any other.
 * - Other requests: the handler's answer, with `Access-Control-Allow-Origin` and
 *   `Access-Control-Expose-Headers: retry-after` when the origin is allowed.
 * - Every `/api/` answer carries `Vary: Origin`.
 *
 * @param request The request.
 * @param url Its URL.
 * @param origins The allowed origins.
 * @param methodsFor The methods a path answers, or `null` for an unknown path.
 * @param next The handler.
 * @returns The answer.
 *
 * @example A preflight from an allowed origin
 * ```ts
 * import assert from "assert";
 * import { withCors } from "./cors.ts";
 * const request = new Request("http://127.0.0.1:8080/api/rooms", {
 *   method: "OPTIONS",
 *   headers: { origin: "https://chat.example", "access-control-request-method": "POST" },
 * });
 * const res = await withCors(request, new URL(request.url), new Set(["https://chat.example"]),
 *   () => ["GET", "POST"], () => new Response("unused"));
 * assert.ok(res.status === 204);
 * assert.ok(res.headers.get("access-control-allow-origin") === "https://chat.example");
 * ```
 */
export async function withCors(
  request: Request,
  url: URL,
  origins: AllowedOrigins,
  methodsFor: (pathname: string) => string[] | null,
  next: () => Response | Promise<Response>,
): Promise<Response> {
  if (!url.pathname.startsWith("/api/")) return await next();
  const header = request.headers.get("origin");
  const normalized = header === null ? null : normalizeOrigin(header);
  const allowed = normalized !== null && origins.has(normalized);
  if (request.method === "OPTIONS") {
    const methods = methodsFor(url.pathname);
    if (methods === null) return await next();
    if (!allowed) {
      return jsonError(
        403,
        "origin_not_allowed",
        header === null
          ? "Cannot answer a preflight: Origin header is missing"
          : `Cannot answer a preflight: origin ${
            JSON.stringify(header.slice(0, 200))
          } is not allowed`,
        { vary: "Origin" },
      );
    }
    return new Response(null, {
      status: 204,
      headers: {
        "access-control-allow-origin": header!,
        "access-control-allow-methods": [...methods, "OPTIONS"].join(", "),
        "access-control-allow-headers": ALLOW_HEADERS,
        "access-control-max-age": MAX_AGE_S,
        vary: "Origin",
      },
    });
  }
  const response = await next();
  response.headers.append("vary", "Origin");
  if (allowed) {
    response.headers.set("access-control-allow-origin", header!);
    response.headers.set("access-control-expose-headers", "retry-after");
  }
  return response;
}
