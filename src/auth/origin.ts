/**
 * The `Origin` check that keeps other web sites from opening sockets with a visitor's token.
 *
 * @module
 */

/**
 * Tells whether a request's `Origin` header is acceptable.
 *
 * - No `Origin` header, or one that is not a URL (such as `null`): refused.
 * - `allowed` given: the origin, normalized like `new URL(x).origin` (scheme, host and port,
 *   lower case, default port dropped), must equal one of the normalized allowed origins.
 * - `allowed` unset: same origin only. The origin's `host:port` must equal the request's `Host`
 *   header (or, without one, the host of `request.url`), both normalized for the origin's
 *   scheme so `example.com:443` equals `https://example.com`.
 *
 * @param request The incoming request (usually a WebSocket upgrade).
 * @param allowed Allowed origins from configuration, or `undefined` for same-origin only.
 * @returns Whether the origin may connect.
 *
 * @example Same origin and an allow-list
 * ```ts
 * import assert from "assert";
 * import { isOriginAllowed } from "./origin.ts";
 * const request = new Request("http://chat.example/ws/lobby", {
 *   headers: { host: "chat.example", origin: "http://chat.example" },
 * });
 * assert.ok(isOriginAllowed(request, undefined));
 * assert.ok(!isOriginAllowed(request, ["https://chat.example"]));
 * ```
 */
export function isOriginAllowed(request: Request, allowed: readonly string[] | undefined): boolean {
  const header = request.headers.get("origin");
  if (header === null) return false;
  const origin = parseUrl(header);
  if (origin === null || origin.origin === "null") return false;
  if (allowed !== undefined) {
    return allowed.some((entry) => parseUrl(entry)?.origin === origin.origin);
  }
  const host = request.headers.get("host") ?? parseUrl(request.url)?.host;
  if (host === undefined || host === "" || /[\s/\\@?#]/.test(host)) return false;
  const requestHost = parseUrl(`${origin.protocol}//${host}`);
  return requestHost !== null && requestHost.host === origin.host;
}

function parseUrl(text: string): URL | null {
  return URL.canParse(text) ? new URL(text) : null;
}
