/**
 * The options of `connect`, with their defaults filled in.
 *
 * @module
 */
import { type BackoffOptions, DEFAULT_BACKOFF_BASE_MS, DEFAULT_BACKOFF_CAP_MS } from "./backoff.ts";
import { type Clock, systemClock } from "./clock.ts";
import type { GetToken } from "./token.ts";

/** Opens a WebSocket; replace it to add headers (Deno: `Origin`) or use another implementation. */
export type WebSocketFactory = (url: string, protocols: string[]) => WebSocket;

/** Options of `connect`. */
export interface ConnectOptions {
  /** The room to join. */
  room: string;
  /** A token. With `getToken` as well, it is used first. */
  token?: string;
  /** Returns a fresh token: called when there is none, after 4401/401, and before `exp`. */
  getToken?: GetToken;
  /** Resume after this message id on the first connection (e.g. from a stored position). */
  since?: number;
  /** The epoch `since` belongs to. */
  epoch?: string;
  /**
   * How the token reaches the server: `"subprotocol"` (default; `Sec-WebSocket-Protocol: roomd,
   * roomd.token.<JWT>`, kept out of URLs and logs) or `"query"` (`?token=`, for servers that
   * predate the subprotocol).
   */
  tokenTransport?: "subprotocol" | "query";
  /** Reconnect back-off: `baseMs` (default 500) and `capMs` (default 30 000). */
  backoff?: BackoffOptions;
  /** Failed attempts in a row before giving up (state `closed`). Default: no limit. */
  maxAttempts?: number;
  /** Least wait after a 4429 close (flooding), in ms. Default 5 000. */
  floodBackoffMs?: number;
  /** Most sends and requests waiting while the connection is down. Default 100. */
  queueLimit?: number;
  /** How long a sent message waits for its `ack` (or a request for its reply). Default 10 000. */
  replyTimeoutMs?: number;
  /** How long before the token's `exp` a fresh one is fetched. Default 30 000. */
  refreshBeforeMs?: number;
  /** Opens sockets. Default: `new WebSocket(url, protocols)`. */
  webSocket?: WebSocketFactory;
  /** `fetch` for the handshake check. Default: the global `fetch`. */
  fetch?: typeof fetch;
  /** Timers (tests). */
  clock?: Clock;
  /** Random numbers in [0, 1) for the jitter (tests). */
  random?: () => number;
}

/** Options with defaults applied. */
export type ResolvedOptions =
  & Required<
    Omit<ConnectOptions, "token" | "getToken" | "since" | "epoch" | "backoff">
  >
  & Pick<ConnectOptions, "token" | "getToken" | "since" | "epoch">
  & { backoff: Required<BackoffOptions> };

/**
 * Fills in defaults and checks the numbers.
 *
 * @param options What the application gave.
 * @returns Complete options.
 * @throws {TypeError} When the room is missing or a number is out of range.
 */
export function resolveOptions(options: ConnectOptions): ResolvedOptions {
  if (typeof options.room !== "string" || options.room === "") {
    throw new TypeError("Cannot connect: room is required");
  }
  const resolved: ResolvedOptions = {
    ...options,
    tokenTransport: options.tokenTransport ?? "subprotocol",
    backoff: {
      baseMs: options.backoff?.baseMs ?? DEFAULT_BACKOFF_BASE_MS,
      capMs: options.backoff?.capMs ?? DEFAULT_BACKOFF_CAP_MS,
    },
    maxAttempts: options.maxAttempts ?? Infinity,
    floodBackoffMs: options.floodBackoffMs ?? 5_000,
    queueLimit: options.queueLimit ?? 100,
    replyTimeoutMs: options.replyTimeoutMs ?? 10_000,
    refreshBeforeMs: options.refreshBeforeMs ?? 30_000,
    webSocket: options.webSocket ?? ((url, protocols) => new WebSocket(url, protocols)),
    fetch: options.fetch ?? ((input, init) => fetch(input, init)),
    clock: options.clock ?? systemClock,
    random: options.random ?? Math.random,
  };
  for (
    const key of [
      "maxAttempts",
      "floodBackoffMs",
      "queueLimit",
      "replyTimeoutMs",
      "refreshBeforeMs",
    ] as const
  ) {
    if (!(resolved[key] >= 0)) throw new TypeError(`Cannot connect: ${key} must be ≥ 0`);
  }
  return resolved;
}
