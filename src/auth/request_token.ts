/**
 * Where a client puts its token: the `token` query parameter (browsers cannot set headers on a
 * WebSocket) or an `Authorization: Bearer` header.
 *
 * @module
 */

const BEARER = /^Bearer[ \t]+([^\s]+)[ \t]*$/i;

/**
 * Finds the token in a request: the `?token=` query parameter when present and non-empty, else
 * an `Authorization: Bearer <token>` header (the scheme in any case).
 *
 * @param request The incoming request.
 * @param url The request's parsed URL (the caller has usually parsed it already).
 * @returns The token, or `null` when the request carries none.
 *
 * @example Query parameter first
 * ```ts
 * import assert from "assert";
 * import { tokenFromRequest } from "./request_token.ts";
 * const request = new Request("http://localhost/ws/lobby?token=abc", {
 *   headers: { authorization: "Bearer xyz" },
 * });
 * assert.ok(tokenFromRequest(request, new URL(request.url)) === "abc");
 * ```
 */
export function tokenFromRequest(request: Request, url: URL): string | null {
  const query = url.searchParams.get("token");
  if (query !== null && query !== "") return query;
  const header = request.headers.get("authorization");
  if (header === null) return null;
  return BEARER.exec(header)?.[1] ?? null;
}
