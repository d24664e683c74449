/**
 * The URLs of a room: the WebSocket and the handshake check.
 *
 * @module
 */

/**
 * Builds the URL of `GET /ws/:room_id` or `GET /api/connect/:room_id` from the server's base
 * URL (http, https, ws or wss; a path prefix is kept, for servers behind a proxy path).
 *
 * @param base The server's URL, e.g. `https://chat.example.com`.
 * @param kind `"ws"` for the socket, `"connect"` for the check.
 * @param room Room id.
 * @param query Query parameters.
 * @returns The URL.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { roomUrl } from "./urls.ts";
 * assert.equal(roomUrl("https://x.test/chat/", "ws", "a b", { since: "3" }), "wss://x.test/chat/ws/a%20b?since=3");
 * assert.equal(roomUrl("ws://x.test", "connect", "lobby", {}), "http://x.test/api/connect/lobby");
 * ```
 */
export function roomUrl(
  base: string,
  kind: "ws" | "connect",
  room: string,
  query: Record<string, string>,
): string {
  const url = new URL(base);
  const secure = url.protocol === "https:" || url.protocol === "wss:";
  if (kind === "ws") url.protocol = secure ? "wss:" : "ws:";
  else url.protocol = secure ? "https:" : "http:";
  const prefix = url.pathname.replace(/\/+$/, "");
  const path = kind === "ws" ? "/ws/" : "/api/connect/";
  url.pathname = `${prefix}${path}${encodeURIComponent(room)}`;
  url.search = new URLSearchParams(query).toString();
  url.hash = "";
  return url.toString();
}

/** Where a socket connects and what it offers. */
export interface SocketTarget {
  /** The `ws(s)://…/ws/:room_id` URL. */
  url: string;
  /** Subprotocols offered: `roomd` and the token, or none with the query transport. */
  protocols: string[];
}

/**
 * The URL and subprotocols of a room's socket, with the token where the transport puts it.
 *
 * @param base The server's URL.
 * @param room Room id.
 * @param token The token.
 * @param transport `"subprotocol"` (offers `roomd` and `roomd.token.<JWT>`) or `"query"`
 * (`?token=`, offers no subprotocol).
 * @param query The resume query.
 * @returns URL and subprotocols.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { socketTarget } from "./urls.ts";
 * const target = socketTarget("http://x.test", "lobby", "a.b.c", "subprotocol", { since: "4" });
 * assert.equal(target.url, "ws://x.test/ws/lobby?since=4");
 * assert.deepEqual(target.protocols, ["roomd", "roomd.token.a.b.c"]);
 * ```
 */
export function socketTarget(
  base: string,
  room: string,
  token: string,
  transport: "subprotocol" | "query",
  query: Record<string, string>,
): SocketTarget {
  if (transport === "query") {
    // No subprotocol offered: a browser fails a handshake whose offer the server leaves
    // unanswered, and servers without the subprotocol token answer none.
    return { url: roomUrl(base, "ws", room, { ...query, token }), protocols: [] };
  }
  return { url: roomUrl(base, "ws", room, query), protocols: ["roomd", `roomd.token.${token}`] };
}
