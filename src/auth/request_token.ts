/**
 * Where a client puts its token: an `Authorization: Bearer` header (servers, bots, native apps),
 * the `roomd.token.<JWT>` WebSocket subprotocol (browsers: it stays out of URLs, logs and
 * traces), or the `token` query parameter (kept for old clients).
 *
 * @module
 */

const BEARER = /^Bearer[ \t]+([^\s]+)[ \t]*$/i;

/** The subprotocol a client offers and the server selects. */
export const SUBPROTOCOL = "roomd";

/** Prefix of the subprotocol entry that carries the token. */
export const TOKEN_SUBPROTOCOL_PREFIX = "roomd.token.";

/** Where a token was found. */
export type TokenSource = "header" | "subprotocol" | "query";

/** A token and where it came from. */
export interface RequestToken {
  /** The compact JWT. */
  token: string;
  /** Where it was found: only `header` can come from a client that is not a browser. */
  source: TokenSource;
}

/**
 * Finds the token in a request, in this order: an `Authorization: Bearer <token>` header (the
 * scheme in any case), a `roomd.token.<token>` entry of `Sec-WebSocket-Protocol`, the `token`
 * query parameter.
 *
 * @param request The incoming request.
 * @param url The request's parsed URL (the caller has usually parsed it already).
 * @returns The token and its source, or `null` when the request carries none.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { tokenFromRequest } from "./request_token.ts";
 * const request = new Request("http://localhost/ws/lobby?token=abc", {
 *   headers: { "sec-websocket-protocol": "roomd, roomd.token.xyz" },
 * });
 * assert.deepEqual(tokenFromRequest(request, new URL(request.url)), {
 *   token: "xyz",
 *   source: "subprotocol",
 * });
 * ```
 */
export function tokenFromRequest(request: Request, url: URL): RequestToken | null {
  const header = request.headers.get("authorization");
  const bearer = header === null ? undefined : BEARER.exec(header)?.[1];
  if (bearer !== undefined) return { token: bearer, source: "header" };
  const offered = offeredSubprotocols(request);
  const entry = offered.find((p) => p.startsWith(TOKEN_SUBPROTOCOL_PREFIX));
  if (entry !== undefined && entry.length > TOKEN_SUBPROTOCOL_PREFIX.length) {
    return { token: entry.slice(TOKEN_SUBPROTOCOL_PREFIX.length), source: "subprotocol" };
  }
  const query = url.searchParams.get("token");
  if (query !== null && query !== "") return { token: query, source: "query" };
  return null;
}

/**
 * The subprotocols a WebSocket client offers, in its order.
 *
 * @param request The upgrade request.
 * @returns The entries of `Sec-WebSocket-Protocol`, trimmed, empty ones dropped.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { offeredSubprotocols } from "./request_token.ts";
 * const request = new Request("http://localhost/", {
 *   headers: { "sec-websocket-protocol": "roomd , chat" },
 * });
 * assert.deepEqual(offeredSubprotocols(request), ["roomd", "chat"]);
 * ```
 */
export function offeredSubprotocols(request: Request): string[] {
  const header = request.headers.get("sec-websocket-protocol");
  if (header === null) return [];
  return header.split(",").map((p) => p.trim()).filter((p) => p !== "");
}
