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
