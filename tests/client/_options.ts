/**
 * Client options for tests in Deno: sockets and the handshake check carry the server's
 * `Origin` (a browser adds it by itself).
 *
 * @module
 */
import type { ConnectOptions } from "../../src/client/mod.ts";

/**
 * Deno-side options for a server at `origin`.
 *
 * @param origin The server's `http://127.0.0.1:PORT`.
 * @returns Options to spread into `connect`'s.
 */
export function denoOptions(origin: string): Partial<ConnectOptions> {
  return {
    // The server does not read the subprotocol token yet (CONTRACTS 1, harden-auth).
    tokenTransport: "query",
    webSocket: (url, protocols) =>
      new WebSocket(url, { protocols, headers: { origin } } as unknown as string[]),
    fetch: (input, init) => {
      const headers = new Headers(init?.headers);
      headers.set("origin", origin);
      return fetch(input, { ...init, headers });
    },
    backoff: { baseMs: 20, capMs: 200 },
  };
}
