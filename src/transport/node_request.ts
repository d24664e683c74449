/**
 * Between `node:http` and the web: an `IncomingMessage` becomes the `Request` roomd's router
 * reads, and its `Response` (streamed when it has a body stream) goes back out through the
 * `ServerResponse` or, for a refused upgrade, the raw socket.
 *
 * @module
 */
import { type IncomingMessage, type ServerResponse, STATUS_CODES } from "node:http";
import { Readable } from "node:stream";
import type { Duplex } from "node:stream";

/**
 * The peer of a node socket in the form `Deno.serve` reports it (an IPv4-mapped IPv6 address
 * reads as plain IPv4, so per-address limits see one key per client on both transports).
 *
 * @param socket The request's socket.
 * @returns The peer address.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { peerOf } from "./node_request.ts";
 * const peer = peerOf({ remoteAddress: "::ffff:127.0.0.1", remotePort: 5000 });
 * assert.ok(peer.hostname === "127.0.0.1" && peer.port === 5000);
 * ```
 */
export function peerOf(
  socket: { remoteAddress?: string; remotePort?: number },
): Deno.NetAddr {
  const address = socket.remoteAddress ?? "";
  return {
    transport: "tcp",
    hostname: address.startsWith("::ffff:") ? address.slice(7) : address,
    port: socket.remotePort ?? 0,
  };
}

/**
 * {@linkcode peerOf} for a socket that stays open (an upgraded one). Reading the peer makes node
 * cache it on the socket, an object with three strings (about 80 B), for the socket's life;
 * roomd keeps the one string it needs itself, so the cache is dropped (node reads the peer
 * again if anything asks).
 *
 * @param socket The socket.
 * @returns The peer address.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { peerOfKeptSocket } from "./node_request.ts";
 * const socket = { remoteAddress: "10.0.0.7", remotePort: 5000, _peername: {} };
 * assert.ok(peerOfKeptSocket(socket).hostname === "10.0.0.7");
 * assert.ok(socket._peername === undefined);
 * ```
 */
export function peerOfKeptSocket(
  socket: { remoteAddress?: string; remotePort?: number; _peername?: unknown },
): Deno.NetAddr {
  const peer = peerOf(socket);
  socket._peername = undefined;
  return peer;
}

/**
 * The web `Request` of a node request.
 *
 * @param req The node request.
 * @param fallbackHost `host:port` to use when the request names no valid `Host`.
 * @returns The request; its body streams from `req` (none for GET and HEAD).
 * @throws {TypeError} When the URL or a header cannot be represented.
 */
export function toRequest(req: IncomingMessage, fallbackHost: string): Request {
  const method = req.method ?? "GET";
  const hasBody = method !== "GET" && method !== "HEAD";
  const init: RequestInit = {
    method,
    body: hasBody ? Readable.toWeb(req) as ReadableStream<Uint8Array> : null,
    // @ts-ignore: `duplex` is required by fetch for a streamed body but missing in Deno's types.
    duplex: hasBody ? "half" : undefined,
  };
  const target = req.url ?? "/";
  let request: Request;
  try {
    request = new Request(absoluteUrl(target, req.headers.host ?? fallbackHost), init);
  } catch {
    request = new Request(absoluteUrl(target, fallbackHost), init);
  }
  // Appended to the request's own headers: a `Headers` given to the constructor is copied
  // through WebIDL conversion, which made this function cost twice as much.
  const headers = request.headers;
  const raw = req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) headers.append(raw[i], raw[i + 1]);
  return request;
}

/** A `Host` that cannot add a path, query or user to the URL it starts. */
const PLAIN_HOST = /^[A-Za-z0-9.:[\]-]+$/;

/**
 * The request's absolute URL. The usual request (a path, a plain `Host`) gets it as text, which
 * the `Request` parses once; anything else is resolved against the host by the URL parser.
 */
function absoluteUrl(target: string, host: string): string | URL {
  const path = target.startsWith("/") && !target.startsWith("//");
  return path && PLAIN_HOST.test(host)
    ? `http://${host}${target}`
    : new URL(target, `http://${host}`);
}

function headerPairs(response: Response): [string, string][] {
  const pairs: [string, string][] = [];
  response.headers.forEach((value, name) => {
    if (name !== "set-cookie") pairs.push([name, value]);
  });
  for (const cookie of response.headers.getSetCookie()) pairs.push(["set-cookie", cookie]);
  return pairs;
}

/**
 * Writes a `Response` to a node response, streaming its body with back-pressure and stopping
 * when the client goes away.
 *
 * @param response The handler's response.
 * @param res The node response.
 */
export async function writeResponse(response: Response, res: ServerResponse): Promise<void> {
  res.writeHead(response.status, response.statusText || undefined, headerPairs(response).flat());
  if (response.body === null) {
    res.end();
    return;
  }
  const reader = response.body.getReader();
  const gone = () => reader.cancel().catch(() => {});
  res.once("close", gone);
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (res.destroyed) return;
      if (!res.write(value)) {
        await new Promise<void>((resolve) => {
          res.once("drain", resolve);
          res.once("close", resolve);
        });
      }
    }
    res.end();
  } catch {
    res.destroy();
  } finally {
    res.off("close", gone);
  }
}

/**
 * Answers a request that asked for an upgrade but got an ordinary response (a refusal) on its
 * raw socket, then closes it.
 *
 * @param response The handler's response.
 * @param socket The upgrade request's socket.
 */
export async function writeRawResponse(response: Response, socket: Duplex): Promise<void> {
  const body = new Uint8Array(await response.arrayBuffer());
  if (socket.destroyed) return;
  const lines = [
    `HTTP/1.1 ${response.status} ${
      response.statusText || STATUS_CODES[response.status] || "Unknown"
    }`,
  ];
  for (const [name, value] of headerPairs(response)) lines.push(`${name}: ${value}`);
  lines.push(`content-length: ${body.byteLength}`, "connection: close", "", "");
  socket.write(lines.join("\r\n"));
  socket.end(body, () => socket.destroy());
}

/**
 * An error response with roomd's JSON error body, for a request that fails before it reaches
 * the router (the transport sits below `http/`, so it does not use `http/json.ts`).
 *
 * @param status HTTP status.
 * @param code Machine-readable code.
 * @param message What went wrong, for people.
 * @returns The response.
 */
export function errorResponse(status: number, code: string, message: string): Response {
  return new Response(JSON.stringify({ error: { code, message } }), {
    status,
    headers: { "content-type": "application/json; charset=utf-8" },
  });
}
