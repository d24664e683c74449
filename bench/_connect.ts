/**
 * Opening the load tool's WebSocket clients: one URL per client (own `sub`), a bounded number of
 * attempts in flight, and the time each took to open.
 *
 * @module
 */
import { mintToken } from "../src/auth/mint.ts";

/** Where and as whom a client connects. */
export interface ClientSpec {
  /** Room id. */
  room: string;
  /** User id: the token's `sub`, and `?user=` for the baseline. */
  user: string;
  /** Index of the server (node) to connect to, among the bases given; default 0. */
  node?: number;
}

/** Handlers shared by every client, so no socket gets its own closures. */
export interface SocketHandlers {
  /** Called for every frame. */
  onMessage: (event: MessageEvent) => void;
  /** Called when a socket closes after it opened. */
  onClose: (event: CloseEvent) => void;
}

/** The outcome of opening a batch of clients. */
export interface ConnectResult {
  /** Open sockets, in the order of the specs; `null` where the attempt failed. */
  sockets: (WebSocket | null)[];
  /** Milliseconds from `new WebSocket` to `open`, for the clients that opened. */
  connectMs: number[];
  /**
   * Milliseconds from the first attempt until every client that opened was ready (its first
   * frame received, when the server sends a welcome; else open). Tokens are minted before.
   */
  allReadyMs: number;
  /** How many attempts failed. */
  failures: number;
  /** The first failure, described. */
  firstError: string | null;
}

/**
 * The `Origin` header a browser on the server's own page would send.
 *
 * @param base Server base URL, `ws://HOST:PORT`.
 * @returns `http://HOST:PORT` (or `https://` for `wss://`).
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { originOf } from "./_connect.ts";
 * assert.ok(originOf("ws://127.0.0.1:8080") === "http://127.0.0.1:8080");
 * ```
 */
export function originOf(base: string): string {
  const url = new URL(base);
  return `${url.protocol === "wss:" ? "https:" : "http:"}//${url.host}`;
}

/**
 * The path and query a client connects to: `/ws/<room>?token=<JWT>&user=<id>`.
 *
 * @param spec Room and user.
 * @param secret HS256 secret; `null` leaves the token out.
 * @returns The path with its query.
 */
export async function clientPath(spec: ClientSpec, secret: string | null): Promise<string> {
  const query = new URLSearchParams();
  if (secret !== null) {
    query.set("token", await mintToken(secret, { sub: spec.user, name: spec.user }, "2h"));
  }
  query.set("user", spec.user);
  return `/ws/${encodeURIComponent(spec.room)}?${query}`;
}

/**
 * Opens one WebSocket client per spec, at most `concurrency` attempts at a time. Every token is
 * minted before the first attempt, so `allReadyMs` times the server, not the signing.
 *
 * @param bases Server base URLs, `ws://HOST:PORT` (the nodes that `ClientSpec.node` picks from).
 * @param specs The clients.
 * @param secret HS256 secret for tokens; `null` = none (and no welcome is awaited).
 * @param handlers Frame and close handlers attached to every socket.
 * @param concurrency Attempts in flight at once.
 * @param timeoutMs How long one attempt may take.
 * @returns The sockets, connection times and failures.
 */
export async function openClients(
  bases: readonly string[],
  specs: readonly ClientSpec[],
  secret: string | null,
  handlers: SocketHandlers,
  concurrency: number,
  timeoutMs = 15_000,
): Promise<ConnectResult> {
  const origins = bases.map(originOf);
  const paths = await Promise.all(specs.map((spec) => clientPath(spec, secret)));
  const result: ConnectResult = {
    sockets: new Array(specs.length).fill(null),
    connectMs: [],
    allReadyMs: 0,
    failures: 0,
    firstError: null,
  };
  const started = performance.now();
  const ready: Promise<void>[] = [];
  let next = 0;
  const worker = async () => {
    while (next < specs.length) {
      const index = next++;
      const node = specs[index].node ?? 0;
      const outcome = await openOne(bases[node] + paths[index], origins[node], handlers, timeoutMs);
      if (typeof outcome === "string") {
        result.failures++;
        result.firstError ??= `Cannot open client ${specs[index].user}: ${outcome}`;
      } else {
        result.sockets[index] = outcome.socket;
        result.connectMs.push(outcome.ms);
        if (secret !== null) ready.push(firstFrame(outcome.socket, handlers, timeoutMs));
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, specs.length) }, worker));
  await Promise.all(ready);
  result.allReadyMs = performance.now() - started;
  return result;
}

/** Resolves when the socket's first frame (roomd's welcome) has arrived, or at the timeout. */
function firstFrame(socket: WebSocket, handlers: SocketHandlers, timeoutMs: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, timeoutMs);
    function done() {
      clearTimeout(timer);
      socket.onmessage = handlers.onMessage;
      resolve();
    }
    socket.onmessage = (event) => {
      done();
      handlers.onMessage(event);
    };
  });
}

function openOne(
  url: string,
  origin: string,
  handlers: SocketHandlers,
  timeoutMs: number,
): Promise<{ socket: WebSocket; ms: number } | string> {
  const started = performance.now();
  const socket = new WebSocket(url, { headers: { Origin: origin } });
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      socket.onopen = socket.onclose = null;
      socket.close();
      resolve(`no open after ${timeoutMs} ms`);
    }, timeoutMs);
    socket.onopen = () => {
      clearTimeout(timer);
      socket.onmessage = handlers.onMessage;
      socket.onclose = handlers.onClose;
      resolve({ socket, ms: performance.now() - started });
    };
    socket.onerror = () => {};
    socket.onclose = (event) => {
      clearTimeout(timer);
      resolve(`closed before open (code ${event.code}${event.reason ? `, ${event.reason}` : ""})`);
    };
  });
}
