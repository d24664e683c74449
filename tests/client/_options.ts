/**
 * Client options for tests in Deno: sockets and the handshake check carry an `Origin` equal to
 * the server they talk to, as a page served by roomd would (a browser adds it by itself).
 *
 * @module
 */
import type { ConnectOptions } from "../../src/client/mod.ts";

function originOf(url: string | URL | Request): string {
  const parsed = new URL(url instanceof Request ? url.url : url);
  return `${
    parsed.protocol === "wss:" || parsed.protocol === "https:" ? "https" : "http"
  }://${parsed.host}`;
}

/** Counts what the client opened. */
export interface Opened {
  /** URLs of the sockets opened, in order. */
  sockets: string[];
  /** Subprotocols offered by each socket. */
  protocols: string[][];
  /** URLs of the handshake checks. */
  checks: string[];
}

/**
 * Deno-side options: fast back-off, `Origin` on every request, and a record of what was
 * opened.
 *
 * @param opened Filled with each socket and check.
 * @returns Options to spread into `connect`'s.
 */
export function denoOptions(opened: Opened = { sockets: [], protocols: [], checks: [] }) {
  return {
    // The server reads no subprotocol token yet (CONTRACTS 1, harden-auth): the query it is.
    tokenTransport: "query",
    webSocket: (url: string, protocols: string[]) => {
      opened.sockets.push(url);
      opened.protocols.push(protocols);
      const headers = { origin: originOf(url) };
      return new WebSocket(url, { protocols, headers } as unknown as string[]);
    },
    fetch: (input: string | URL | Request, init?: RequestInit) => {
      opened.checks.push(String(input));
      const headers = new Headers(init?.headers);
      headers.set("origin", originOf(input));
      return fetch(input, { ...init, headers });
    },
    backoff: { baseMs: 20, capMs: 200 },
  } satisfies Partial<ConnectOptions>;
}
